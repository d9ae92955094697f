// A step about a program socklab cannot see (a role started by hand on another machine, `--remote`):
// what the spec expected of its output and exit is listed as not observable, with why, and the step is
// skipped: neither passed nor failed, and not scored.
import type { NotObservable } from '../../model/result.js';
import type { StepOutcome } from '../step-kind.js';

/**
 * `expect` as the spec wrote it, plus the checks a step makes when the spec says nothing (`exit
 * (implicit)` for a run step), each as not observable because of `why`.
 */
export function notObservableOutcome(expect: Record<string, unknown> | undefined, implicit: string[], why: string, what: string): StepOutcome {
  const reason = `not observable with --remote: ${why}`;
  const written: NotObservable[] = Object.entries(expect ?? {}).map(([name, value]) => ({ name, expected: JSON.stringify(value), reason }));
  const unstated: NotObservable[] = implicit.map((name) => ({ name, expected: name.startsWith('exit') ? '0' : 'true', reason }));
  return { status: 'skipped', expectations: [], notes: [`${what}: ${reason}`], notObservable: [...written, ...unstated] };
}
