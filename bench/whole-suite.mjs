// 3. The whole suite: `socklab run specs/` (default --jobs, one per core) against its lower bound.
// No schedule can beat the longest single experiment, nor the sum of all experiments spread evenly
// over the jobs; the ratios say how close socklab gets and how much running in parallel gains.
import path from 'node:path';
import { root, socklabRun } from './lib/socklab.mjs';
import { median, ratio } from './lib/stats.mjs';

export const name = 'whole-suite';
export const title = 'socklab run specs/ against its lower bound';

export async function run({ repeat, jobs, log }) {
  const runs = [];
  const count = repeat(3);
  for (let index = 0; index < count; index += 1) {
    log(`socklab run specs/ ${index + 1}/${count}`);
    const run = await socklabRun([path.join(root, 'specs')], { timeoutMs: 600_000 });
    if (!run.results) throw new Error(`socklab run specs/ wrote no results.json (exit ${run.code ?? run.signal}): ${run.stderr.trim().slice(-400)}`);
    const durations = run.results.experiments.map((experiment) => ({ id: experiment.id, ms: experiment.durationMs }));
    const longest = durations.reduce((best, next) => (next.ms > best.ms ? next : best));
    const sumMs = durations.reduce((total, next) => total + next.ms, 0);
    runs.push({
      wallMs: run.ms,
      runDurationMs: run.results.durationMs,
      longestMs: longest.ms,
      longestId: longest.id,
      sumMs,
      lowerBoundMs: Math.max(longest.ms, sumMs / jobs),
      experiments: durations.length,
      counts: run.results.counts,
    });
  }
  const of = (key) => median(runs.map((run) => run[key]));
  const perRun = (compute) => median(runs.map(compute));
  // Skipped experiments (a page of the student's own, a missing tool) are said apart from failed ones.
  const notPassed = runs.map((run) => run.experiments - run.counts.passed - run.counts.skipped).filter((count) => count > 0);
  const skipped = runs.map((run) => run.counts.skipped).filter((count) => count > 0);
  return {
    figures: [
      { figure: `suite wall (${runs[0].experiments} experiments, -j ${jobs}), median`, value: of('wallMs'), unit: 'ms' },
      { figure: `longest experiment (${runs.at(-1).longestId}), median`, value: of('longestMs'), unit: 'ms' },
      { figure: 'sum of experiment durations, median', value: of('sumMs'), unit: 'ms' },
      { figure: `lower bound max(longest, sum/${jobs}), median`, value: of('lowerBoundMs'), unit: 'ms' },
      { figure: 'suite wall / longest experiment', value: perRun((run) => ratio(run.wallMs, run.longestMs)), unit: 'x' },
      { figure: 'suite wall / lower bound', value: perRun((run) => ratio(run.wallMs, run.lowerBoundMs)), unit: 'x' },
      { figure: 'parallel speed-up (sum / suite wall)', value: perRun((run) => ratio(run.sumMs, run.wallMs)), unit: 'x' },
      { figure: 'socklab start-up + reports (wall - run duration)', value: perRun((run) => run.wallMs - run.runDurationMs), unit: 'ms' },
    ],
    samples: { runs },
    notes: [
      `${count} runs; ratios are medians of the per-run ratios`,
      ...(notPassed.length ? [`not every experiment passed: ${notPassed.join(', ')} per run (see samples.runs[].counts)`] : []),
      ...(skipped.length ? [`skipped (with their reason in results.json): ${skipped.join(', ')} per run`] : []),
    ],
  };
}
