// Experiments → RunResult: runs experiments in parallel (bounded by `jobs`), feeds the reporters, and
// on interruption stops launching, lets running experiments tear down, and still reports what finished.
import os from 'node:os';
import { countResults, type ExperimentResult, type RunResult } from '../model/result.js';
import type { Reporter } from '../report/reporter.js';
import type { ExperimentSpec } from '../spec/spec-types.js';
import { runExperiment, type ExperimentEnvironment } from './run-experiment.js';

export interface SuiteOptions {
  experiments: ExperimentSpec[];
  jobs: number;
  reporter: Reporter;
  outputDir: string;
  /** `reference`, or the submission being tested. */
  subject: string;
  environment: Omit<ExperimentEnvironment, 'onStepEnd'>;
  toolVersion: string;
}

export async function runSuite(options: SuiteOptions): Promise<RunResult> {
  const startedAt = new Date();
  const started = performance.now();
  const { experiments, reporter, environment } = options;
  await reporter.onRunBegin?.({
    startedAt: startedAt.toISOString(),
    experiments: experiments.map(({ id, title, tags }) => ({ id, title, tags })),
    jobs: options.jobs,
    subject: options.subject,
    outputDir: options.outputDir,
  });
  const results: Array<ExperimentResult | undefined> = new Array(experiments.length);
  let next = 0;
  const worker = async () => {
    while (next < experiments.length && !environment.signal.aborted) {
      const ordinal = next++;
      const spec = experiments[ordinal];
      reporter.onExperimentBegin?.({ id: spec.id, title: spec.title });
      const result = await runExperiment(spec, ordinal, { ...environment, onStepEnd: (step) => reporter.onStepEnd?.(spec.id, step) });
      results[ordinal] = result;
      reporter.onExperimentEnd?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, experiments.length)) }, worker));

  const finished = experiments.map((spec, ordinal) => results[ordinal] ?? notRun(spec));
  const counts = countResults(finished);
  const runResult: RunResult = {
    version: 1,
    tool: { name: 'socklab', version: options.toolVersion },
    status: environment.signal.aborted ? 'interrupted' : counts.error > 0 ? 'error' : counts.failed > 0 ? 'failed' : 'passed',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    counts,
    score: finished.reduce((sum, result) => sum + result.score, 0),
    maxScore: finished.filter((result) => result.status !== 'skipped').reduce((sum, result) => sum + result.points, 0),
    subject: options.subject,
    environment: { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.availableParallelism(), jobs: options.jobs },
    experiments: finished,
  };
  await reporter.onRunEnd?.(runResult);
  return runResult;
}

function notRun(spec: ExperimentSpec): ExperimentResult {
  return {
    id: spec.id,
    title: spec.title,
    tags: spec.tags,
    points: spec.points,
    score: 0,
    explain: spec.explain,
    location: spec.location,
    status: 'interrupted',
    skipReason: 'interrupted before it started',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    ports: {},
    hosts: {},
    roles: {},
    steps: [],
    failures: [],
  };
}
