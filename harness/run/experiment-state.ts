// What one running experiment holds while its steps run: shared by the runner and the step context.
import type { StepResult } from '../model/result.js';
import type { ExperimentSpec, SpecStep } from '../spec/spec-types.js';
import type { DeferredOutcome, RunningService } from '../steps/step-kind.js';
import type { TemplateValues } from '../spec/template.js';
import type { RoleTable } from '../lab/role-table.js';
import type { SandboxPolicy } from '../process/sandbox.js';

export interface ExperimentEnvironment {
  roles: RoleTable;
  /** The socklab installation folder (for `{{root}}`). */
  root: string;
  fixturesDir: string;
  /** Where reports and artifacts (pcaps, screenshots) go. */
  outputDir: string;
  /** Prefix of every program's SOCKLAB_TAG in this run. */
  runTag: string;
  /** Aborted on Ctrl-C / SIGTERM of the whole run. */
  signal: AbortSignal;
  /** Run every experiment that can on two hosts (network namespaces), `--isolate`. */
  isolate?: boolean;
  /** Confine the programs of a submission with the filesystem sandbox (process/sandbox.ts); undefined: off. */
  sandbox?: SandboxPolicy;
  /** Capture every experiment's packets (`--capture`), not only those with `capture:`. */
  captureAll?: boolean;
  onStepEnd?: (step: StepResult) => void;
  outputCapBytes?: number;
}

export interface ExperimentState {
  spec: ExperimentSpec;
  environment: ExperimentEnvironment;
  /** performance.now() when the experiment started. */
  startedAt: number;
  signal: AbortSignal;
  tag: string;
  values: TemplateValues;
  hosts: Record<string, string>;
  services: Map<string, RunningService>;
  /** Commands that played each role. */
  roles: Record<string, string[]>;
  /** Network namespaces of the two hosts, when the experiment runs on two hosts. */
  namespaces?: { server: string; client: string };
  deferred: Array<{ step: StepResult; specStep: SpecStep; check: () => Promise<DeferredOutcome> }>;
  teardowns: Array<() => Promise<void>>;
}
