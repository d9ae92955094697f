// The reporter plug-in boundary. Reporters see only the result model, never the runner.
// Every hook is optional; the multiplexer calls each reporter and isolates its errors.
import type { ExperimentResult, RunResult, StepResult } from './result.js';

export interface RunBeginInfo {
  startedAt: string;
  /** Experiments that will run, in order. */
  experiments: Array<{ id: string; title: string; tags: string[] }>;
  jobs: number;
  subject: string;
  /** Folder where reports are written (already created). */
  outputDir: string;
}

export interface ExperimentBeginInfo {
  id: string;
  title: string;
}

export interface Reporter {
  /** Short name used on the command line (`--reporter junit`). */
  readonly name: string;
  onRunBegin?(info: RunBeginInfo): void | Promise<void>;
  onExperimentBegin?(info: ExperimentBeginInfo): void;
  onStepEnd?(experimentId: string, step: StepResult): void;
  onExperimentEnd?(result: ExperimentResult): void;
  /** Called once, also for an interrupted run, with what finished. Writes files here. */
  onRunEnd?(result: RunResult): void | Promise<void>;
}

/** Options every reporter factory receives. */
export interface ReporterOptions {
  outputDir: string;
  /** Output stream for console-style reporters (defaults to process.stdout). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Force plain (non-TTY) output, as in CI. */
  plain?: boolean;
  /** A second place for the gradescope reporter to write results.json (e.g. /autograder/results/results.json). */
  gradescopeFile?: string;
}

export type ReporterFactory = (options: ReporterOptions) => Reporter;
