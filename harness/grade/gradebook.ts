// A class gradebook from each student's RunResult: grades.csv (student, points per experiment,
// total, max) and the data the class overview is drawn from.
import type { RunResult } from '../model/result.js';

export interface StudentGrade {
  student: string;
  scores: Record<string, number>;
  statuses: Record<string, string>;
  total: number;
  max: number;
  missing: string[];
  harnessErrors: number;
}

export interface Gradebook {
  experiments: Array<{ id: string; title: string; points: number }>;
  students: StudentGrade[];
}

export function buildGradebook(runs: Array<{ student: string; run: RunResult }>): Gradebook {
  const experiments = new Map<string, { id: string; title: string; points: number }>();
  for (const { run } of runs) for (const experiment of run.experiments) if (!experiments.has(experiment.id)) experiments.set(experiment.id, { id: experiment.id, title: experiment.title, points: experiment.points });
  const students = runs
    .map(({ student, run }) => ({
      student,
      scores: Object.fromEntries(run.experiments.map((experiment) => [experiment.id, experiment.score])),
      statuses: Object.fromEntries(run.experiments.map((experiment) => [experiment.id, experiment.status])),
      total: round(run.score),
      max: round(run.maxScore),
      missing: run.submission?.missing ?? [],
      harnessErrors: run.counts.error,
    }))
    .sort((a, b) => a.student.localeCompare(b.student));
  return { experiments: [...experiments.values()], students };
}

export function gradebookCsv(book: Gradebook): string {
  const header = ['student', ...book.experiments.map((experiment) => experiment.id), 'total', 'max'];
  const rows = book.students.map((student) => [
    student.student,
    ...book.experiments.map((experiment) => (student.statuses[experiment.id] === 'error' ? 'ERROR' : String(student.scores[experiment.id] ?? 0))),
    String(student.total),
    String(student.max),
  ]);
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/** Experiments by how many students failed them, most failed first. */
export function mostFailed(book: Gradebook): Array<{ id: string; title: string; failed: number }> {
  return book.experiments
    .map((experiment) => ({ ...experiment, failed: book.students.filter((student) => ['failed', 'interrupted'].includes(student.statuses[experiment.id])).length }))
    .filter((experiment) => experiment.failed > 0)
    .sort((a, b) => b.failed - a.failed || a.id.localeCompare(b.id));
}

function csvField(value: string): string {
  // Guard against spreadsheet formula injection from folder names, then quote as RFC 4180 asks.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
