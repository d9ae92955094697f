// Points, in one place: the weight a lab gives a task, what an experiment earns (all or nothing, or a
// share with `partial: true`), a run's total, and the rounding every report uses. Pure functions of
// the result model, so the console, JSON, Gradescope and the class gradebook add up alike. The class
// gradebook also decides which tasks count for each student (assessTasks): one run's own reports
// record every experiment that ran, while a class is graded on what each student handed in.
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

/** The task an experiment belongs to: its first tag (task1, task2, …), as the reports group them. */
export function taskOf(tags: readonly string[]): string {
  return tags[0] ?? 'untagged';
}

/** Tasks every student hands in, whatever else they chose: the handout's "Task 1 (Mandatory for all students)". */
export const MANDATORY_TASKS: readonly string[] = ['task1'];

/** One graded task of one student, as the class gradebook counts it. */
export interface TaskAssessment {
  task: string;
  /** The student's roles (those the lab expects a program for) that the task's graded experiments launch. */
  roles: string[];
  /** Whether the submission has a program for at least one of those roles (a task that launches none needs nothing handed in). */
  handedIn: boolean;
  /** Whether the task's experiments count toward the student's total and maximum in the gradebook. */
  assessed: boolean;
}

/** What the assessment reads of a graded experiment: its task and which roles it launched. */
export interface AssessedExperiment {
  tags: readonly string[];
  /** The roles the experiment launched (ExperimentResult.roles); a role with no program is there too. */
  roles: Readonly<Record<string, unknown>>;
  steps?: ReadonlyArray<{ role?: string }>;
}

/**
 * Which graded tasks count for a student. The handout makes Task 1 mandatory and assigns one of Tasks
 * 2–4, so a task whose programs are all missing is "not handed in", not a string of failures:
 * - a mandatory task always counts (not handing it in costs its points);
 * - another task counts when the student handed it in;
 * - when the student handed in none of the other graded tasks, they all count: the assigned task is
 *   missing, and leaving it out would turn Task 1 alone into full marks.
 * Without a submission (the reference programs) every task is handed in.
 */
export function assessTasks(
  experiments: readonly AssessedExperiment[],
  submission: { programs: Readonly<Record<string, string>>; missing: readonly string[] } | undefined,
  mandatory: readonly string[] = MANDATORY_TASKS,
): TaskAssessment[] {
  const studentRoles = new Set([...Object.keys(submission?.programs ?? {}), ...(submission?.missing ?? [])]);
  const missing = new Set(submission?.missing ?? []);
  const rolesByTask = new Map<string, Set<string>>();
  for (const experiment of experiments) {
    const task = taskOf(experiment.tags);
    const roles = rolesByTask.get(task) ?? new Set<string>();
    rolesByTask.set(task, roles);
    const launched = [...Object.keys(experiment.roles), ...(experiment.steps ?? []).flatMap((step) => (step.role ? [step.role] : []))];
    for (const role of launched) if (studentRoles.has(role)) roles.add(role);
  }
  const tasks = [...rolesByTask].map(([task, roles]) => ({ task, roles: [...roles].sort(), handedIn: roles.size === 0 || [...roles].some((role) => !missing.has(role)) }));
  const optional = tasks.filter((task) => !mandatory.includes(task.task) && task.roles.length > 0);
  const noneHandedIn = optional.length > 0 && optional.every((task) => !task.handedIn);
  return tasks.map((task) => ({ ...task, assessed: mandatory.includes(task.task) || task.handedIn || noneHandedIn }));
}

/** A student's total and maximum over the tasks that count (assessTasks), with runTotals' rules within them. */
export function assessedTotals(
  experiments: ReadonlyArray<{ tags: readonly string[]; status: ExperimentStatus; score: number; points: number }>,
  tasks: readonly TaskAssessment[],
): { score: number; maxScore: number } {
  const counted = new Set(tasks.filter((task) => task.assessed).map((task) => task.task));
  return runTotals(experiments.filter((experiment) => counted.has(taskOf(experiment.tags))));
}
