#!/usr/bin/env node
// `npm run bench`: runs each benchmark in turn, prints one table and writes reports/bench.json with
// every raw sample, the summaries and the machine they were taken on. Every figure is a median of
// several runs or a ratio of two things measured side by side in the same bench run.
//
// usage: node bench/run.mjs [--quick] [NAME...]   (NAME: a benchmark's name; default: all)
//   --quick   about a third of the repetitions, for trying the bench out (figures get noisier)
// Run as root, the web-server benchmark apt-get installs wrk and nginx when they are missing (and says
// so); BENCH_INSTALL=0 forbids it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installCleanup, isInterrupted } from './lib/processes.mjs';
import { root } from './lib/socklab.mjs';
import { round } from './lib/stats.mjs';
import { formatTable, formatValue } from './lib/table.mjs';
import { removeTempDirs } from './lib/temp.mjs';
import * as harnessOverhead from './harness-overhead.mjs';
import * as readinessLatency from './readiness-latency.mjs';
import * as wholeSuite from './whole-suite.mjs';
import * as serviceStartup from './service-startup.mjs';
import * as gradingThroughput from './grading-throughput.mjs';
import * as webServerLoad from './web-server-load.mjs';
import * as proxyCache from './proxy-cache.mjs';
import * as tcpServerClients from './tcp-server-clients.mjs';
import * as sandboxOverhead from './sandbox-overhead.mjs';
import * as worldCost from './world-cost.mjs';

const BENCHMARKS = [harnessOverhead, readinessLatency, wholeSuite, serviceStartup, gradingThroughput, webServerLoad, proxyCache, tcpServerClients, sandboxOverhead, worldCost];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const wanted = args.filter((arg) => !arg.startsWith('--'));
const unknown = wanted.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name));
if (unknown.length) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((benchmark) => benchmark.name).join(', ')}\n`);
  process.exit(2);
}
const selected = BENCHMARKS.filter((benchmark) => wanted.length === 0 || wanted.includes(benchmark.name));

installCleanup(removeTempDirs);
const machine = describeMachine();
const jobs = os.availableParallelism();
const started = performance.now();
const reports = [];
for (const benchmark of selected) {
  if (isInterrupted()) break;
  const log = (message) => process.stderr.write(`bench: ${benchmark.name}: ${message}\n`);
  log(benchmark.title);
  const benchmarkStarted = performance.now();
  const report = { name: benchmark.name, title: benchmark.title };
  try {
    Object.assign(report, await benchmark.run({ repeat: (count) => (quick ? Math.max(2, Math.ceil(count / 3)) : count), jobs, log }));
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    log(`failed: ${report.error}`);
  }
  report.durationMs = Math.round(performance.now() - benchmarkStarted);
  reports.push(report);
}
const durationMs = Math.round(performance.now() - started);
machine.loadAverageAtEnd = os.loadavg().map((load) => round(load));

const rows = reports.flatMap((report) => {
  const figures = report.error ? [{ figure: 'error', value: '-', verdict: report.error.slice(0, 160) }] : report.figures;
  return figures.map((figure, index) => ({
    benchmark: index === 0 ? report.name : '',
    figure: figure.figure,
    value: formatValue(figure.value, figure.unit),
    verdict: [figure.target, figure.verdict].filter(Boolean).join(': '),
  }));
});
process.stdout.write(`\n${formatTable(rows)}\n\n`);
for (const report of reports) for (const note of report.notes ?? []) process.stdout.write(`${report.name}: ${note}\n`);

if (isInterrupted()) {
  process.stderr.write('bench: interrupted; reports/bench.json left as it was\n');
} else {
  const output = path.join(root, 'reports', 'bench.json');
  mkdirSync(path.dirname(output), { recursive: true });
  writeFileSync(output, `${JSON.stringify({ version: 1, date: new Date().toISOString(), durationMs, quick, machine, benchmarks: reports.map(roundFigures) }, null, 2)}\n`);
  process.stdout.write(`\n${reports.length} benchmarks in ${(durationMs / 1000).toFixed(0)} s on ${machine.cpus}× ${machine.cpuModel}, load average ${machine.loadAverageAtStart.join(' ')} at the start; wrote ${path.relative(process.cwd(), output)}\n`);
  process.exitCode = reports.some((report) => report.error) ? 1 : 0;
}

function describeMachine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((load) => round(load)),
    commit: gitCommit(),
  };
}

function gitCommit() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return `${commit}${dirty ? ' (with uncommitted changes)' : ''}`;
  } catch {
    return 'unknown';
  }
}

function roundFigures(report) {
  return { ...report, figures: report.figures?.map((figure) => ({ ...figure, value: round(figure.value, 3) })) };
}
