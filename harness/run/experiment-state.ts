// What the runner holds while an experiment's plan executes: the services alive, the checks deferred
// to the end, the cleanups to run, and the step results as they finish. The plan itself is read-only.
import type { StepResult } from '../model/result.js';
import type { PlanEnvironment } from '../plan/plan-experiment.js';
import type { ExperimentPlan, PlannedStep } from '../plan/experiment-plan.js';
import type { DeferredOutcome, RunningService } from '../steps/step-kind.js';
import type { ExperimentWorld } from './experiment-world.js';
import type { RemoteExperiment } from '../remote/remote-experiment.js';
import type { LaunchAhead } from './launch-ahead.js';

export interface ExperimentEnvironment extends PlanEnvironment {
  /** Why hard-coded destinations cannot be intercepted in a world here (no iptables), or null. */
  interceptionUnavailable: () => Promise<string | null>;
  /** Where reports and artifacts (pcaps, screenshots) go. */
  outputDir: string;
  /** Prefix of every program's SOCKLAB_TAG in this run. */
  runTag: string;
  /** Aborted on Ctrl-C / SIGTERM of the whole run. */
  signal: AbortSignal;
  onStepEnd?: (step: StepResult) => void;
  outputCapBytes?: number;
  /** Wait out every step's timeout, even when its programs all wait for input that cannot come (--wait-timeouts). */
  waitOutTimeouts?: boolean;
}

export interface ExperimentState {
  plan: ExperimentPlan;
  environment: ExperimentEnvironment;
  /** performance.now() when the experiment started. */
  startedAt: number;
  /** Aborted when the experiment's deadline passes or the run is interrupted. */
  signal: AbortSignal;
  /** The experiment's own world, once made (two-hosts topology). */
  world?: ExperimentWorld;
  /** Its share of the other machines, when a role runs on one (`--remote`, `--ssh`). */
  remote?: RemoteExperiment;
  services: Map<string, RunningService>;
  deferred: Array<{ step: StepResult; planned: PlannedStep; check: () => Promise<DeferredOutcome> }>;
  teardowns: Array<() => Promise<void>>;
  /** Step results in order, as they finish (services' final output is added at teardown). */
  steps: StepResult[];
  /** Environment variables steps shared with the programs started after them (StepContext.shareEnvironment). */
  sharedEnvironment: Record<string, string>;
  /** The label of a step whose fixture acts on its own time (StepKind.timed), once one has run. */
  timedFixture?: string;
  /** Fixtures' own clocks (StepContext.whileBusy): each says why it may still act by itself, or nothing. */
  fixtureClocks: Array<() => string | undefined>;
  /** Per role, which of its command-line conventions its programs get now (after usage errors: the next one). */
  conventionAttempts: Map<string, number>;
  /** The next step's program, started ahead and held (launch-ahead.ts). */
  ahead: LaunchAhead;
}
