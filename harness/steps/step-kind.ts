// The step plug-in boundary: one interface, one file per kind, one registry (steps/registry.ts).
// Each kind owns the schema of its own options and turns a rendered step into a StepOutcome.
// Outcomes are data: a refused connection or a non-zero exit is a result, never a thrown error.
import type { TObject } from '@sinclair/typebox';
import type { ExpectationResult, HarnessErrorInfo, NotObservable, ProcessResult, SourceLocation, StepDetails, StepStatus, WorldEvents } from '../model/result.js';
import type { LaunchedProgram } from '../process/launched-program.js';
import type { Stillness } from '../process/stillness.js';
import type { HostNetwork } from '../network/host-network.js';

/** The hosts of an experiment's world (network/world.ts); on loopback they are all 127.0.0.1. */
export type WorldHostName = 'server' | 'client' | 'internet';

/**
 * A service listening for the experiment (a started server once ready, an origin, an SMTP sink): in a
 * world, connections to its planned port and to its hard-coded ports (`intercept`) reach it.
 */
export interface OfferedService {
  name: string;
  host: WorldHostName;
  protocol: 'tcp' | 'udp';
  /** The port the spec gave it. */
  planned: number;
  /** The port it really listens on (a server with a hard-coded port listens elsewhere). */
  actual: number;
  /** Ports hard-coded clients use to reach it (the role's commonPorts, an origin's 80), or none. */
  intercept: number[];
  /**
   * Ports only watched, not intercepted (with `intercept: false`): a connection to one is counted and
   * reported ("it connected to port 80, where nothing listens") and goes where it was going.
   */
  watch?: number[];
  /** It listens on 127.0.0.1 only: connections from other hosts are delivered there (as on one host). */
  loopbackOnly?: boolean;
  /** Host names it answers at in the world (an origin's www.example.test): the world's DNS resolves them to its host. */
  names?: string[];
  /**
   * The experiment checks the command line strictly (`intercept: false`): only what is sent to its
   * own address reaches it. Connections to localhost at its port are counted, not delivered, and
   * names no fixture claims do not resolve to its host.
   */
  strict?: boolean;
}

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
  program: LaunchedProgram;
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
  /**
   * Starts the program that plays `role` (its own process group, tagged for the sweep): here, or on
   * another machine over SSH; for a role started there by hand, what stands for it (`unobservable`).
   */
  launch(request: LaunchRequest): Promise<LaunchedProgram>;
  /**
   * After a program of `role` ended with a usage error (`ended` says how): its later launches in this
   * experiment get the next of its command-line conventions. False when there is none left to try
   * (the program's source said which, or every one was tried).
   */
  nextConvention(role: string, ended: string): boolean;
  /** Prompt patterns of a role, stripped before deciding that a program printed nothing. */
  ignoredOutput(role: string): RegExp[];
  /** Ports students hard-code for a role (lab file `commonPorts`). */
  commonPorts(role: string): number[];
  /** The folder the program playing `role` runs in (a student's working copy, the experiment's temp folder for a reference program). */
  folderOf(role: string): string;
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
  /** Addresses of the hosts (`{{server.host}}`, `{{client.host}}`, `{{internet.host}}`). */
  readonly hosts: Record<WorldHostName, string>;
  /** Sockets on the host this step runs on (runsOn): in a world, made inside that host's namespace. */
  network(): Promise<HostNetwork>;
  /** Makes a listening service known to the world, so that hard-coded destinations reach it. */
  offer(service: OfferedService): Promise<void>;
  /** Environment variables for every program the experiment starts from now on (e.g. which CA to trust). */
  shareEnvironment(variables: Record<string, string>): void;
  /** Whether the experiment runs in its own world (network namespaces), not on loopback. */
  readonly inWorld: boolean;
  /** The host this step acts on (its role's, or its kind's `runsOn`). */
  readonly host?: WorldHostName;
  /** The experiment's temp folder (`{{tmp}}`), removed when it ends. */
  readonly tmpDir: string;
  /**
   * Resolves when `program` (null: socklab itself waits, e.g. for an HTTP response) and every service
   * of the experiment wait for input that nothing is going to send before `deadline`
   * (performance.now() time): the step's outcome is decided (stillness.ts). Null when that cannot be
   * known (a timed fixture runs, the run asked to wait out timeouts) or it does not happen before the
   * deadline or `signal`.
   */
  untilStill(program: LaunchedProgram | null, deadline: number, signal: AbortSignal): Promise<Stillness | null>;
  /**
   * A fixture in socklab that may act by itself later (the origin closing a kept-alive connection when
   * its idle timer fires): `check` says why while it may, and stillness is not decided meanwhile.
   */
  whileBusy(check: () => string | undefined): void;
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
  /** A server's listening socket, as found (port discovery): the report and grading read it. */
  listening?: WorldEvents['listening'];
  /** Files put in the program's folder before it started. */
  placedFiles?: string[];
  /** Expectations that could not be observed from this side (a program started by hand elsewhere): neither passed nor failed. */
  notObservable?: NotObservable[];
}

export interface StepKind<Step extends Record<string, unknown> = Record<string, unknown>> {
  /** The key that names the kind in YAML: `run: tcp-client` is a `run` step. */
  readonly key: string;
  /** Schema of the whole step mapping, including its own key. */
  readonly schema: TObject;
  readonly summary: string;
  /**
   * Set for steps that run inside socklab (a probe or a fixture) rather than as a program: the host of
   * an experiment's world whose sockets they use (context.network()). Probes act from the client host,
   * origins and mail servers live on the Internet host. Programs run on their role's host.
   */
  readonly runsOn?: WorldHostName;
  /** Short title for reports, from the rendered step. */
  label(step: Step): string;
  /** The role this step launches, checked against the lab's roles when specs load. */
  role?(step: Step): string | undefined;
  /** What this step will ask `context.launch` for first (the runner may start it ahead, held). */
  launches?(step: Step): LaunchRequest | undefined;
  /** The service name this step makes available to later steps. */
  defines?(step: Step): string | undefined;
  /** The service name this step needs an earlier step to have started. */
  references?(step: Step): string | undefined;
  /**
   * The port the service this step starts will listen on, from the spec (a start step's `ready`), so
   * that a world can route hard-coded destinations to it from the start (a client run before its
   * server is refused by the server's host, on the wire). `intercept` as the step gives it.
   */
  listens?(step: Step): { protocol: 'tcp' | 'udp'; port: number; intercept?: number[] | false } | undefined;
  /**
   * Whether what this step starts inside socklab (a fixture) acts on its own time, not only in answer
   * to what it receives: an origin that delays a response, a relay that holds datagrams. While such a
   * fixture runs, programs that all wait for input may still get some, so steps are not ended early.
   */
  timed?(step: Step): boolean;
  execute(step: Step, context: StepContext): Promise<StepOutcome>;
}
