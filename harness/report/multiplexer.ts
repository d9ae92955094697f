// Fans each hook out to every reporter, in order. A broken reporter must not cost the student their
// other reports (a failing junit writer should still leave the console summary and results.json), so
// each call is isolated: its error is recorded, printed as one line, and the next reporter runs.
import type { ExperimentResult, RunResult, StepResult } from '../model/result.js';
import type { ExperimentBeginInfo, Reporter, RunBeginInfo } from '../model/reporter.js';

export type ReporterHook = 'onRunBegin' | 'onExperimentBegin' | 'onStepEnd' | 'onExperimentEnd' | 'onRunEnd';

export interface ReporterError {
  /** The failing reporter's name. */
  reporter: string;
  hook: ReporterHook;
  error: unknown;
}

export interface ReporterMultiplexerOptions {
  /** Where the one-line error notices go; defaults to process.stderr. */
  errorStream?: NodeJS.WritableStream;
}

export class ReporterMultiplexer implements Reporter {
  readonly name = 'multiplexer';
  /** Every error a reporter raised, in the order they happened; the CLI may turn these into an exit status. */
  readonly reporterErrors: ReporterError[] = [];
  private readonly errorStream: NodeJS.WritableStream;

  constructor(
    private readonly reporters: readonly Reporter[],
    options: ReporterMultiplexerOptions = {},
  ) {
    this.errorStream = options.errorStream ?? process.stderr;
  }

  async onRunBegin(info: RunBeginInfo): Promise<void> {
    for (const reporter of this.reporters) await this.callAsync(reporter, 'onRunBegin', () => reporter.onRunBegin?.(info));
  }

  onExperimentBegin(info: ExperimentBeginInfo): void {
    for (const reporter of this.reporters) this.callSync(reporter, 'onExperimentBegin', () => reporter.onExperimentBegin?.(info));
  }

  onStepEnd(experimentId: string, step: StepResult): void {
    for (const reporter of this.reporters) this.callSync(reporter, 'onStepEnd', () => reporter.onStepEnd?.(experimentId, step));
  }

  onExperimentEnd(result: ExperimentResult): void {
    for (const reporter of this.reporters) this.callSync(reporter, 'onExperimentEnd', () => reporter.onExperimentEnd?.(result));
  }

  /** Awaits each reporter in turn, so files are complete when this resolves and the CLI may exit. */
  async onRunEnd(result: RunResult): Promise<void> {
    for (const reporter of this.reporters) await this.callAsync(reporter, 'onRunEnd', () => reporter.onRunEnd?.(result));
  }

  private async callAsync(reporter: Reporter, hook: ReporterHook, call: () => unknown): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.record(reporter, hook, error);
    }
  }

  /**
   * Per-experiment hooks are synchronous in the interface so the runner never waits on a reporter.
   * A reporter written in JavaScript may still return a promise; its rejection is recorded rather
   * than left to crash the process as an unhandled rejection.
   */
  private callSync(reporter: Reporter, hook: ReporterHook, call: () => unknown): void {
    try {
      const returned = call();
      if (isPromiseLike(returned)) returned.then(undefined, (error: unknown) => this.record(reporter, hook, error));
    } catch (error) {
      this.record(reporter, hook, error);
    }
  }

  private record(reporter: Reporter, hook: ReporterHook, error: unknown): void {
    this.reporterErrors.push({ reporter: reporter.name, hook, error });
    const message = error instanceof Error ? error.message : String(error);
    // One line per failure: a multi-line message (a stack, say) would bury the run's own output.
    this.errorStream.write(`socklab: reporter ${reporter.name} failed in ${hook}: ${message.split('\n')[0]}\n`);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
