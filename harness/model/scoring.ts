// Points, in one place: the weight a lab gives a task, what an experiment earns (all or nothing, or a
// share with `partial: true`), a run's total, and the rounding every report uses. Pure functions of
// the result model, so the console, JSON, Gradescope and the class gradebook can never disagree.
import type { ExperimentStatus, ExpectationResult } from './result.js';

/** Points are shown and summed to two decimals (a third of a point is 0.33). */
export function roundPoints(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The tag of experiments that go beyond the handout (lines longer than its recv buffer, empty input, …). */
export const EXTRA_TAG = 'extra';

/**
 * An experiment's points times the weight the lab file gives its first weighted tag
 * (`weights: { task2: 2 }` doubles every Task 2 experiment); unweighted experiments keep their points.
 * An experiment tagged `extra` goes beyond the handout: it runs and is reported, and earns no points
 * unless the lab file weighs `extra` (`weights: { extra: 1 }`); its own other weights apply after that.
 */
export function weightedPoints(points: number, tags: readonly string[], weights: Readonly<Record<string, number>>): number {
  if (tags.includes(EXTRA_TAG) && weights[EXTRA_TAG] === undefined) return 0;
  const tag = tags.find((candidate) => weights[candidate] !== undefined);
  return tag === undefined ? points : roundPoints(points * weights[tag]);
}

export interface ScoreInput {
  status: ExperimentStatus;
  points: number;
  /** `partial: true` in the spec: a failed experiment earns the share of its expectations that held. */
  partial: boolean;
  /** Every expectation the experiment checked, passed or not (steps, capture, experiment-level). */
  expectations: readonly ExpectationResult[];
}

/** All the points when it passed; with partial credit, points × the share that held when it failed; else 0. */
export function experimentScore(input: ScoreInput): number {
  if (input.status === 'passed') return input.points;
  if (!input.partial || input.status !== 'failed' || input.expectations.length === 0) return 0;
  const held = input.expectations.filter((expectation) => expectation.ok).length;
  return roundPoints((input.points * held) / input.expectations.length);
}

/** A run's score and the most it could have been. Skipped experiments count for neither: they could not be checked here. */
export function runTotals(experiments: ReadonlyArray<{ status: ExperimentStatus; score: number; points: number }>): { score: number; maxScore: number } {
  const counted = experiments.filter((experiment) => experiment.status !== 'skipped');
  return {
    score: roundPoints(counted.reduce((sum, experiment) => sum + experiment.score, 0)),
    maxScore: roundPoints(counted.reduce((sum, experiment) => sum + experiment.points, 0)),
  };
}
