// Narrowing a run: experiment ids given on the command line, --grep on id and title, --tag.
import type { ExperimentSpec } from '../spec/spec-types.js';
import { SocklabError, EXIT_CODES } from '../errors.js';
import { closestMatch } from '../spec/did-you-mean.js';

export interface Selection {
  ids: string[];
  grep?: string;
  tags: string[];
}

/** Works on specs and on the results of a finished run alike (`socklab evidence --from`). */
export function selectExperiments<T extends Pick<ExperimentSpec, 'id' | 'title' | 'tags'>>(experiments: T[], selection: Selection): T[] {
  const known = new Set(experiments.map((experiment) => experiment.id));
  for (const id of selection.ids) {
    if (!known.has(id)) {
      const suggestion = closestMatch(id, known);
      throw new SocklabError('NO_SUCH_EXPERIMENT', `no experiment or path "${id}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`, EXIT_CODES.specInvalid);
    }
  }
  const grep = selection.grep ? compileGrep(selection.grep) : null;
  return experiments.filter(
    (experiment) =>
      (selection.ids.length === 0 || selection.ids.includes(experiment.id)) &&
      (!grep || grep.test(experiment.id) || grep.test(experiment.title)) &&
      (selection.tags.length === 0 || selection.tags.some((tag) => experiment.tags.includes(tag))),
  );
}

function compileGrep(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'i');
  } catch (error) {
    throw new SocklabError('BAD_GREP', `--grep: invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`, EXIT_CODES.specInvalid);
  }
}
