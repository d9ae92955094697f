// Which specs and lab file a command uses when its command line names none. socklab runs from its own
// clone, from a global install (`npm install -g`), and in an instructor's course folder made by
// `socklab init`, which keeps its own specs/ with specs/lab.yaml in it. So: the current folder's
// specs/ when it holds a lab file, else the specs that came with socklab. Only the current folder is
// looked at, never its parents: a run in /tmp never picks up a specs/ somewhere above it.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { root } from '../socklab-root.js';

/** What makes a folder a course folder: this file below it. */
export const COURSE_LAB_FILE = path.join('specs', 'lab.yaml');

export interface SpecDefaults {
  /** The spec folder used when no spec path is given. */
  specs: string;
  /** The lab file used when --lab is not given. */
  lab: string;
  /** `{{fixtures}}`: the fixtures/ folder beside those specs. */
  fixtures: string;
  /** `here`: the current folder's specs/; `socklab`: socklab's own (bundled in a package, or its clone's). */
  origin: 'here' | 'socklab';
}

export function specDefaults(cwd: string = process.cwd()): SpecDefaults {
  const own = path.join(root, 'specs');
  const here = path.join(cwd, 'specs');
  const isCourse = existsSync(path.join(cwd, COURSE_LAB_FILE)) && !sameFolder(here, own);
  const specs = isCourse ? here : own;
  return { specs, lab: path.join(specs, 'lab.yaml'), fixtures: path.join(specs, 'fixtures'), origin: isCourse ? 'here' : 'socklab' };
}

/**
 * One line for the top of a command's output saying where the specs and the lab file came from, for
 * whichever of them was a default (what the command line named needs no telling); undefined when
 * neither was. `socklab: specs ./specs and lab file ./specs/lab.yaml, from this folder`.
 */
export function describeDefaultsUsed(defaults: SpecDefaults, specsGiven: boolean, labFile: string, cwd: string = process.cwd()): string | undefined {
  const labIsDefault = path.resolve(labFile) === path.resolve(defaults.lab);
  if (specsGiven && !labIsDefault) return undefined;
  if (defaults.origin === 'here') {
    const shown = (file: string) => `./${path.relative(cwd, file)}`;
    const parts = [...(specsGiven ? [] : [`specs ${shown(defaults.specs)}`]), ...(labIsDefault ? [`lab file ${shown(defaults.lab)}`] : [])];
    return `socklab: ${parts.join(' and ')}, from this folder`;
  }
  const what = !specsGiven && labIsDefault ? `specs and lab file (${defaults.specs})` : specsGiven ? `lab file (${defaults.lab})` : `specs (${defaults.specs})`;
  // In socklab's own clone the current folder's specs/ are socklab's own; elsewhere say how to have one's own.
  const hint = existsSync(path.join(cwd, COURSE_LAB_FILE)) ? '' : `; this folder has no ${COURSE_LAB_FILE} (socklab init DIR makes a course folder)`;
  return `socklab: socklab's own ${what}${hint}`;
}

function sameFolder(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}
