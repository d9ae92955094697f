// Experiments → RunResult: runs experiments in parallel (bounded by `jobs`), feeds the reporters, and
// on interruption stops launching, lets running experiments tear down, and still reports what finished.
import os from 'node:os';
import { countResults, type ExperimentResult, type RunResult, type StepResult } from '../model/result.js';
import type { Reporter } from '../model/reporter.js';
import { runTotals } from '../model/scoring.js';
import { describeLimits } from '../process/limit-support.js';
import { platformSupport } from '../process/platform-support.js';
import type { ExperimentSpec } from '../spec/spec-types.js';
import { notRun, runExperiment, type ExperimentEnvironment } from './run-experiment.js';
import { Limiter } from './limiter.js';

export interface SuiteOptions {
  experiments: ExperimentSpec[];
  jobs: number;
  reporter: Reporter;
  outputDir: string;
  /** `reference`, or the submission being tested. */
  subject: string;
  environment: Omit<ExperimentEnvironment, 'onStepEnd'>;
  toolVersion: string;
  /** Shared with other suites running at the same time (class grading); default: one of `jobs` slots. */
  limiter?: Limiter;
  /** Adds to a finished experiment before reporters see it (grading feedback). */
  annotate?: (result: ExperimentResult) => ExperimentResult;
  /** Extra fields for the RunResult (the graded submission). */
  submission?: RunResult['submission'];
  /** What the filesystem sandbox did in this run (chooseSandbox), for the record. */
  sandboxDescription?: string;
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
  const limiter = options.limiter ?? new Limiter(options.jobs);
  await Promise.all(
    experiments.map((spec, ordinal) =>
      limiter.run(async () => {
        if (environment.signal.aborted) return;
        reporter.onExperimentBegin?.({ id: spec.id, title: spec.title });
        const environmentForRun = { ...environment, onStepEnd: (step: StepResult) => reporter.onStepEnd?.(spec.id, step) };
        let result = await runExperiment(spec, ordinal, environmentForRun);
        // A harness fault is never scored as the program's failure: try once more before reporting it.
        if (result.status === 'error' && !environment.signal.aborted) {
          const first = result.error?.message ?? result.steps.find((step) => step.error)?.error?.message ?? 'unknown';
          result = await runExperiment(spec, ordinal, environmentForRun);
          result.retried = { reason: first };
        }
        if (options.annotate) result = options.annotate(result);
        results[ordinal] = result;
        reporter.onExperimentEnd?.(result);
      }),
    ),
  );

  const finished = experiments.map((spec, ordinal) => results[ordinal] ?? notRun(spec, environment));
  const counts = countResults(finished);
  const { score, maxScore } = runTotals(finished);
  const runResult: RunResult = {
    version: 2,
    tool: { name: 'socklab', version: options.toolVersion },
    status: environment.signal.aborted ? 'interrupted' : counts.error > 0 ? 'error' : counts.failed > 0 ? 'failed' : 'passed',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    counts,
    score,
    maxScore,
    subject: options.subject,
    environment: {
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      cpus: os.availableParallelism(),
      jobs: options.jobs,
      ...(options.sandboxDescription ? { sandbox: options.sandboxDescription } : {}),
      limits: describeLimits(),
      ...(platformSupport().missing.length ? { missing: platformSupport().missing } : {}),
    },
    experiments: finished,
    ...(options.submission ? { submission: options.submission } : {}),
  };
  await reporter.onRunEnd?.(runResult);
  return runResult;
}
