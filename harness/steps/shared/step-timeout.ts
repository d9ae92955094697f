// A step's own time limit: what the spec wrote (or the kind's default), never past the experiment's deadline.
import { parseDuration } from '../../schema/duration.js';
import type { StepContext } from '../step-kind.js';

export function stepTimeoutMs(written: string | number | undefined, defaultMs: number, context: StepContext): number {
  const wanted = written === undefined ? defaultMs : (parseDuration(written) ?? defaultMs);
  return Math.min(wanted, context.remainingMs());
}
