// How socklab's grades of the corpus agree with its verdicts (test/fixtures/corpus/README.md): per
// submission and task, socklab's fraction of the task's points against the verdict's range, and each
// cause the verdict says the feedback must name (its code, and every mention in that one message).
// Shared by the corpus test (test/whole-system/corpus.test.ts) and `npm run corpus` (scripts/corpus-agreement.mjs).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { RunResult } from '../../harness/model/result.js';
import { roundPoints, taskOf } from '../../harness/model/scoring.js';

export interface Cause {
  code: string;
  mentions: string[];
}

export interface Verdict {
  submission: string;
  tasks: Record<string, { score: [number, number]; why: string; causes: Cause[] }>;
}

export interface CauseAgreement extends Cause {
  /** A feedback message of the task has this code and every mention. */
  named: boolean;
  /** The codes the task's feedback did name, for the report when it missed. */
  closest?: string;
}

export interface AgreementRow {
  submission: string;
  task: string;
  score: number;
  max: number;
  /** score / max, or 0 when the task had no points. */
  fraction: number;
  range: [number, number];
  inRange: boolean;
  causes: CauseAgreement[];
  /** Every code the task's feedback named. */
  named: string[];
}

export function loadVerdicts(corpus: string): Verdict[] {
  return readdirSync(corpus)
    .filter((name) => /^\d\d-/.test(name) && statSync(path.join(corpus, name)).isDirectory())
    .sort()
    .map((submission) => {
      const parsed = parseYaml(readFileSync(path.join(corpus, submission, 'verdict.yaml'), 'utf8')) as { tasks: Verdict['tasks'] };
      const tasks = Object.fromEntries(Object.entries(parsed.tasks).map(([task, verdict]) => [task, { ...verdict, causes: verdict.causes ?? [] }]));
      return { submission, tasks };
    });
}

/** Reads each submission's results.json under `reports` (a `grade --class` output folder) and compares. */
export function compareWithVerdicts(verdicts: Verdict[], reports: string): AgreementRow[] {
  return verdicts.flatMap((verdict) => {
    const file = path.join(reports, verdict.submission, 'results.json');
    const run = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunResult) : undefined;
    return Object.entries(verdict.tasks).map(([task, expected]) => rowOf(verdict.submission, task, expected, run));
  });
}

function rowOf(submission: string, task: string, expected: Verdict['tasks'][string], run: RunResult | undefined): AgreementRow {
  const experiments = (run?.experiments ?? []).filter((experiment) => taskOf(experiment.tags) === task && experiment.status !== 'skipped');
  const score = roundPoints(experiments.reduce((sum, experiment) => sum + experiment.score, 0));
  const max = roundPoints(experiments.reduce((sum, experiment) => sum + experiment.points, 0));
  const fraction = max > 0 ? score / max : 0;
  const feedback = experiments.flatMap((experiment) => experiment.feedback ?? []);
  const causes = expected.causes.map((cause) => {
    const named = feedback.some((item) => item.code === cause.code && cause.mentions.every((mention) => item.message.includes(mention)));
    const sameCode = feedback.find((item) => item.code === cause.code);
    return { ...cause, named, ...(named ? {} : { closest: sameCode ? sameCode.message : undefined }) };
  });
  // A range is a grader's judgement to two decimals: compare at that precision.
  const rounded = Math.round(fraction * 1000) / 1000;
  return {
    submission,
    task,
    score,
    max,
    fraction,
    range: expected.score,
    inRange: max > 0 && rounded >= expected.score[0] && rounded <= expected.score[1],
    causes,
    named: [...new Set(feedback.map((item) => item.code))].sort(),
  };
}

export interface AgreementTotals {
  ranges: { within: number; total: number };
  causes: { named: number; total: number };
}

export function agreementTotals(rows: AgreementRow[]): AgreementTotals {
  const causes = rows.flatMap((row) => row.causes);
  return {
    ranges: { within: rows.filter((row) => row.inRange).length, total: rows.length },
    causes: { named: causes.filter((cause) => cause.named).length, total: causes.length },
  };
}

/** The agreement table in Markdown, as the corpus README shows it. */
export function agreementTable(rows: AgreementRow[]): string {
  const lines = ['| submission | task | socklab | verdict | in range | causes named |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    const fraction = `${row.score}/${row.max} = ${row.fraction.toFixed(2)}`;
    const verdict = `[${row.range[0]}, ${row.range[1]}]`;
    const named = row.causes.filter((cause) => cause.named).length;
    const missed = row.causes.filter((cause) => !cause.named).map((cause) => `${cause.code} ${cause.mentions.join(' ')}`);
    lines.push(`| \`${row.submission}\` | ${row.task.replace('task', '')} | ${fraction} | ${verdict} | ${row.inRange ? 'yes' : '**no**'} | ${named}/${row.causes.length}${missed.length ? ` (missed: ${missed.join('; ')})` : ''} |`);
  }
  return lines.join('\n');
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? '100%' : `${Math.floor((part / whole) * 1000) / 10}%`;
}
