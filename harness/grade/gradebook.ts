// A class gradebook from each student's RunResult: grades.csv (student, points per experiment, total,
// max, why) and the data the class overview is drawn from. Totals count the tasks each student is
// assessed on (model/scoring.ts assessTasks): Task 1, and of the others those they handed in.
import type { ExperimentStatus, RunResult } from '../model/result.js';
import { assessedTotals, assessTasks, MANDATORY_TASKS, taskOf, type TaskAssessment } from '../model/scoring.js';
import { mainCause, type MainCause } from './main-cause.js';

export interface GradebookExperiment {
  id: string;
  title: string;
  points: number;
  task: string;
}

export interface GradebookTask {
  task: string;
  mandatory: boolean;
  experiments: GradebookExperiment[];
}

export interface StudentGrade {
  student: string;
  /** Their own report, as a URL relative to the class report (e.g. `alice/index.html`). */
  page: string;
  scores: Record<string, number>;
  statuses: Record<string, ExperimentStatus>;
  /** By task: whether it was handed in and whether it counts (scoring.ts). */
  tasks: Record<string, TaskAssessment>;
  /** Over the tasks that count. */
  total: number;
  max: number;
  /** The run's own totals over every experiment that ran (their report and Gradescope show these). */
  runTotal: number;
  runMax: number;
  /** Roles the graded experiments launch that the submission has no program for. */
  missing: string[];
  harnessErrors: number;
  why?: MainCause;
}

export interface Gradebook {
  tasks: GradebookTask[];
  experiments: GradebookExperiment[];
  students: StudentGrade[];
}

/** One student's graded run; `page` is where their report is, relative to the class report. */
export interface GradedStudent {
  student: string;
  run: RunResult;
  page: string;
}

export function buildGradebook(runs: readonly GradedStudent[]): Gradebook {
  const experiments = new Map<string, GradebookExperiment>();
  for (const { run } of runs) {
    for (const experiment of run.experiments) {
      if (!experiments.has(experiment.id)) experiments.set(experiment.id, { id: experiment.id, title: experiment.title, points: experiment.points, task: taskOf(experiment.tags) });
    }
  }
  const tasks = new Map<string, GradebookTask>();
  for (const experiment of experiments.values()) {
    const task = tasks.get(experiment.task) ?? { task: experiment.task, mandatory: MANDATORY_TASKS.includes(experiment.task), experiments: [] };
    tasks.set(experiment.task, task);
    task.experiments.push(experiment);
  }
  const students = runs.map(({ student, run, page }) => studentGrade(student, run, page)).sort((a, b) => a.student.localeCompare(b.student));
  // Columns go task by task, so that each task's experiments sit under one heading.
  return { tasks: [...tasks.values()], experiments: [...tasks.values()].flatMap((task) => task.experiments), students };
}

function studentGrade(student: string, run: RunResult, page: string): StudentGrade {
  const assessment = assessTasks(run.experiments, run.submission);
  const totals = assessedTotals(run.experiments, assessment);
  const graded = new Set(assessment.flatMap((task) => task.roles));
  const why = mainCause(run, assessment);
  return {
    student,
    page,
    scores: Object.fromEntries(run.experiments.map((experiment) => [experiment.id, experiment.score])),
    statuses: Object.fromEntries(run.experiments.map((experiment) => [experiment.id, experiment.status])),
    tasks: Object.fromEntries(assessment.map((task) => [task.task, task])),
    total: totals.score,
    max: totals.maxScore,
    runTotal: run.score,
    runMax: run.maxScore,
    missing: (run.submission?.missing ?? []).filter((role) => graded.has(role)),
    harnessErrors: run.counts.error,
    ...(why ? { why } : {}),
  };
}

/** Whether the student handed in the task of this experiment (tasks the run does not have count as handed in). */
export function handedIn(student: StudentGrade, experiment: GradebookExperiment): boolean {
  return student.tasks[experiment.task]?.handedIn ?? true;
}

export const NOT_HANDED_IN = 'not handed in';

export function gradebookCsv(book: Gradebook): string {
  const header = ['student', ...book.experiments.map((experiment) => experiment.id), 'total', 'max', 'why'];
  const rows = book.students.map((student) => [
    student.student,
    ...book.experiments.map((experiment) => {
      const status = student.statuses[experiment.id];
      if (status === undefined) return ''; // not among this student's experiments (shards graded with other specs)
      if (!handedIn(student, experiment)) return NOT_HANDED_IN;
      return status === 'error' ? 'ERROR' : String(student.scores[experiment.id]);
    }),
    String(student.total),
    String(student.max),
    student.why?.text ?? '',
  ]);
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/** Experiments by how many students failed them, most failed first; students who did not hand in the task are not counted. */
export function mostFailed(book: Gradebook): Array<GradebookExperiment & { failed: number; of: number }> {
  return book.experiments
    .map((experiment) => {
      const graded = book.students.filter((student) => handedIn(student, experiment) && student.statuses[experiment.id] !== undefined);
      const failed = graded.filter((student) => ['failed', 'interrupted'].includes(student.statuses[experiment.id])).length;
      return { ...experiment, failed, of: graded.length };
    })
    .filter((experiment) => experiment.failed > 0)
    .sort((a, b) => b.failed - a.failed || a.id.localeCompare(b.id));
}

function csvField(value: string): string {
  // Guard against spreadsheet formula injection from folder names, then quote as RFC 4180 asks.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
