#!/usr/bin/env node
// Grades the corpus (test/fixtures/corpus) as one class with the task specs and prints how socklab
// agrees with its verdicts: per submission and task, socklab's fraction of the task's points, the
// verdict's range, whether it is in it, and the causes named; then the totals and the wall time (the
// class at -j 2, and per student), for the corpus README and the bench.
//
//   npm run corpus                        grade the corpus and print the table
//   npm run corpus -- --from DIR          compare a finished `grade --class test/fixtures/corpus -o DIR`
//   npm run corpus -- --jobs 4 --out DIR  other parallelism; keep the reports in DIR
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const corpus = path.join(root, 'test', 'fixtures', 'corpus');
const specs = ['specs/task1', 'specs/task2', 'specs/task3', 'specs/task4'];
const { agreementTable, agreementTotals, compareWithVerdicts, loadVerdicts, percent } = await import(path.join(root, 'dist', 'test', 'support', 'corpus-agreement.js'));

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const from = option('--from');
const jobs = option('--jobs') ?? '2';
const out = from ?? option('--out') ?? mkdtempSync(path.join(os.tmpdir(), 'socklab-corpus-'));

let wallMs;
if (!from) {
  const started = performance.now();
  try {
    execFileSync(process.execPath, [path.join(root, 'bin', 'socklab.js'), 'grade', '--class', corpus, ...specs.flatMap((spec) => ['-s', spec]), '-j', jobs, '-o', out], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    process.stderr.write(`socklab grade exited with ${error.status ?? error.signal}; comparing what it wrote\n`);
  }
  wallMs = performance.now() - started;
}

const verdicts = loadVerdicts(corpus);
const rows = compareWithVerdicts(verdicts, out);
const totals = agreementTotals(rows);
process.stdout.write(`\n${agreementTable(rows)}\n\n`);
process.stdout.write(`ranges: ${totals.ranges.within}/${totals.ranges.total} (${percent(totals.ranges.within, totals.ranges.total)}); causes named: ${totals.causes.named}/${totals.causes.total} (${percent(totals.causes.named, totals.causes.total)})\n`);
const students = verdicts.map((verdict) => {
  try {
    return JSON.parse(readFileSync(path.join(out, verdict.submission, 'results.json'), 'utf8')).durationMs;
  } catch {
    return undefined;
  }
});
const durations = students.filter((duration) => duration !== undefined);
const seconds = (ms) => `${Math.round(ms / 100) / 10}s`;
if (wallMs !== undefined) {
  process.stdout.write(`wall time: the class (${verdicts.length} submissions) at -j ${jobs} in ${seconds(wallMs)}, ${seconds(wallMs / verdicts.length)} per student; `);
} else process.stdout.write('wall time: not measured (--from); ');
if (durations.length) {
  const sorted = [...durations].sort((a, b) => a - b);
  process.stdout.write(`each student's own run ${seconds(sorted[0])}–${seconds(sorted.at(-1))}, median ${seconds(sorted[Math.floor(sorted.length / 2)])}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores\n`);
} else process.stdout.write('\n');
if (!from && !option('--out')) rmSync(out, { recursive: true, force: true });
