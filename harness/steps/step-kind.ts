// The step plug-in boundary: one interface, one file per kind, one registry (steps/registry.ts).
// Each kind owns the schema of its own options and turns a rendered step into a StepOutcome.
// Outcomes are data: a refused connection or a non-zero exit is a result, never a thrown error.
import type { TObject } from '@sinclair/typebox';
import type { ExpectationResult, HarnessErrorInfo, ProcessResult, SourceLocation, StepDetails, StepStatus } from '../model/result.js';
import type { Program } from '../process/program.js';

export interface LaunchRequest {
  role: string;
  args: string[];
  stdin?: string;
  env?: Record<string, string>;
}

/** A program started by a `start` step, alive until the experiment ends or a `stop`/`wait` step. */
export interface RunningService {
  name: string;
  role: string;
  program: Program;
  /** Index of the step that started it, for reports. */
  stepIndex: number;
}

/** What a step can do to the experiment it runs in. Implemented by the runner. */
export interface StepContext {
  readonly experimentId: string;
  /** Index of the step being executed. */
  readonly stepIndex: number;
  /** Aborted when the experiment's deadline passes or the run is interrupted. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the experiment's deadline. */
  remainingMs(): number;
  /** Starts the program that plays `role` (its own process group, tagged for the sweep). */
  launch(request: LaunchRequest): Program;
  /** Prompt patterns of a role, stripped before deciding that a program printed nothing. */
  ignoredOutput(role: string): RegExp[];
  readonly services: Map<string, RunningService>;
  /** Where in the spec each `expect` key was written, for failure messages. */
  readonly expectLocations: Record<string, SourceLocation>;
  /**
   * Checks to make once every step has run (a fixture's request counts, a background request's
   * reply). Their expectations are added to this step's result before teardown.
   */
  atEnd(check: () => Promise<DeferredOutcome>): void;
  /** Cleanup after the experiment (stop an in-process fixture), run in reverse order of registration. */
  onTeardown(cleanup: () => Promise<void>): void;
  /** Folder for files this step leaves in the report (screenshots), and a file name prefix unique to the step. */
  readonly artifacts: { dir: string; prefix: string };
  /** Host names for `{{server.host}}` and `{{client.host}}`. */
  readonly hosts: Record<string, string>;
  /** The experiment's temp folder (`{{tmp}}`), removed when it ends. */
  readonly tmpDir: string;
}

export interface DeferredOutcome {
  expectations: ExpectationResult[];
  notes?: string[];
  /** What the check saw (a fixture's request log); replaces the step's `details`. */
  details?: StepDetails;
}

export interface StepOutcome {
  status?: StepStatus;
  process?: ProcessResult;
  expectations: ExpectationResult[];
  error?: HarnessErrorInfo;
  notes?: string[];
  /** Remaining steps are skipped (a service never became ready: nothing after it means anything). */
  stopExperiment?: boolean;
  /** What the step saw, typed per kind (model/step-details.ts): an HTTP exchange, what a fixture received. */
  details?: StepDetails;
  /** Files left in the report folder (relative paths), such as a screenshot. */
  artifacts?: string[];
}

export interface StepKind<Step extends Record<string, unknown> = Record<string, unknown>> {
  /** The key that names the kind in YAML: `run: tcp-client` is a `run` step. */
  readonly key: string;
  /** Schema of the whole step mapping, including its own key. */
  readonly schema: TObject;
  readonly summary: string;
  /**
   * The step runs inside the harness process (a probe or a fixture), not as a program of its own, so it
   * cannot be placed on another host: an experiment with such a step stays on loopback.
   */
  readonly runsInHarness?: boolean;
  /** Short title for reports, from the rendered step. */
  label(step: Step): string;
  /** The role this step launches, checked against the lab's roles when specs load. */
  role?(step: Step): string | undefined;
  /** The service name this step makes available to later steps. */
  defines?(step: Step): string | undefined;
  /** The service name this step needs an earlier step to have started. */
  references?(step: Step): string | undefined;
  execute(step: Step, context: StepContext): Promise<StepOutcome>;
}
