// The annotations a run leaves on GitHub: one error per failed or errored experiment, at the line of
// the spec that failed (the check's `expect:` when known), so the checks tab and the workflow's
// summary page point at the experiment. GitHub shows at most 10 error annotations per step (and 50
// per job) and drops the rest without a word, so we write no more than it shows and say, in a
// warning and in the job summary, which failures were left out.
import path from 'node:path';
import type { ExperimentResult, RunResult, SourceLocation } from '../../model/result.js';
import { roundPoints } from '../../model/scoring.js';
import { printable } from '../console-failures.js';
import { errorMessage, failureMessage, shorten } from '../junit-message.js';
import { failuresOutsideSteps, plural, stepProblems } from '../result-text.js';
import { annotation } from './workflow-command.js';

/** GitHub's limit of error annotations per step (actions/toolkit, docs/problem-matchers.md); the rest are dropped. */
export const maxErrorAnnotations = 10;
/** Ids of left-out experiments named in the warning; the job summary lists them all. */
const maxIdsNamed = 20;

export interface AnnotationContext {
  /** Spec paths under this folder are written relative to it: GITHUB_WORKSPACE, else where socklab started. */
  workspace: string;
}

export interface Annotations {
  /** Workflow command lines, without line breaks. */
  lines: string[];
  /** Failed or errored experiments that are not annotated because of GitHub's limit, in run order. */
  leftOut: ExperimentResult[];
}

/** Experiments that deserve an error annotation: failed or errored, and not hidden from students. */
function annotatedExperiments(run: RunResult): ExperimentResult[] {
  return run.experiments.filter((experiment) => !experiment.hidden && (experiment.status === 'failed' || experiment.status === 'error'));
}

export function renderAnnotations(run: RunResult, context: AnnotationContext): Annotations {
  const candidates = annotatedExperiments(run);
  const annotated = candidates.slice(0, maxErrorAnnotations);
  const leftOut = candidates.slice(maxErrorAnnotations);
  const lines = annotated.map((experiment) => experimentAnnotation(experiment, context));
  if (leftOut.length > 0) {
    const ids = leftOut.slice(0, maxIdsNamed).map((experiment) => experiment.id);
    const more = leftOut.length > maxIdsNamed ? `, and ${leftOut.length - maxIdsNamed} more` : '';
    const message = `${plural(leftOut.length, 'more failed experiment')} not annotated (GitHub shows at most ${maxErrorAnnotations} error annotations per step): ${ids.join(', ')}${more}. The job summary and the reports list them all.`;
    lines.push(annotation('warning', { title: 'socklab: more failures than annotations' }, printable(message)));
  }
  if (run.status === 'interrupted') {
    const unfinished = run.counts.interrupted;
    lines.push(annotation('warning', { title: 'socklab: run interrupted' }, `The run was interrupted: ${plural(unfinished, 'experiment')} did not finish and ${unfinished === 1 ? 'is' : 'are'} not graded.`));
  }
  return { lines, leftOut };
}

/** One experiment's error annotation, at the line of what went wrong. */
export function experimentAnnotation(experiment: ExperimentResult, context: AnnotationContext): string {
  const where = problemLocation(experiment);
  const title = printable(`${experiment.id}: ${shorten(experiment.title, 100)}`);
  return annotation('error', { file: relativeTo(context.workspace, where.file), line: where.line, title }, printable(annotationMessage(experiment)));
}

function annotationMessage(experiment: ExperimentResult): string {
  const points = `${roundPoints(experiment.score)} of ${plural(roundPoints(experiment.points), 'point')}`;
  if (experiment.status === 'error') {
    const { message, type } = errorMessage(experiment);
    return `Not graded (${points}): ${type}: ${message}. A fault of socklab or of this machine, not of the program.`;
  }
  return `Failed (${points}): ${failureMessage(experiment)}`;
}

/** The first failed check's line, else the line of the step that went wrong, else the experiment's. */
function problemLocation(experiment: ExperimentResult): SourceLocation {
  if (experiment.status === 'error' && experiment.error) return experiment.location;
  const [first] = stepProblems(experiment);
  if (first) return first.failedExpectations[0]?.location ?? first.step.location;
  return failuresOutsideSteps(experiment)[0]?.location ?? experiment.location;
}

/** `file` relative to `folder` when it lies inside it (GitHub links paths of the checkout), else unchanged. */
export function relativeTo(folder: string, file: string): string {
  const relative = path.relative(folder, path.resolve(folder, file));
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative) ? relative : file;
}
