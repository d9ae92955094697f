// The Plan stage's hand-off: what an experiment will do, decided before anything runs. Spec →
// ExperimentPlan (this file) → what happened (run/) → ExperimentResult. The runner reads a plan and
// never changes it; the result is built once, at the end, from the plan and what happened.
import type { Deployment, RemoteRoleDeployment, SourceLocation } from '../model/result.js';
import type { SandboxRequest } from '../process/sandbox.js';
import type { SandboxUser } from '../process/sandbox-user.js';
import type { CaptureExpectation } from '../capture/capture-expectation-schema.js';
import type { ExperimentSpec } from '../spec/spec-types.js';
import type { PlannedInvocation } from './role-invocation.js';

/**
 * `loopback`: every program on 127.0.0.1, in socklab's own network. `two-hosts`: the experiment's own
 * world (network/world.ts): a server host, a client host and an Internet host, each a network namespace.
 */
export type Topology = 'loopback' | 'two-hosts';

export interface ExperimentPlan {
  spec: ExperimentSpec;
  /** The spec's points with the lab's weights applied (scoring.ts). */
  points: number;
  /** SOCKLAB_TAG of every program the experiment starts: the escaped-process sweep finds them by it. */
  tag: string;
  /** A free port for each `{{ports.NAME}}` (or the port a role started by hand listens on). */
  ports: Record<string, number>;
  /** Names of `ports` that were given, not taken here (a role started by hand): never released by this plan. */
  givenPorts: string[];
  topology: Topology;
  /** Where each role runs: this machine, its namespaces, or other machines. */
  deployment: Deployment;
  /** Addresses of the hosts (`{{server.host}}`, `{{client.host}}`, `{{internet.host}}`). */
  hosts: { server: string; client: string; internet: string };
  /** The experiment's own temp folder (`{{tmp}}`), removed when it ends. */
  tmpDir: string;
  /** How each role the experiment launches is played, its command rendered. */
  roles: Record<string, PlannedRole>;
  /** The steps in order, their templates rendered. */
  steps: PlannedStep[];
  /** Packet capture, when the spec or `--capture` asks for it and the experiment has ports. */
  capture?: PlannedCapture;
  /** How the plan differs from what was asked (a fallback to loopback), for the report. */
  notes: string[];
  /** The unprivileged user its confined programs run as (plan/contain-experiment.ts), given back at the end. */
  sandboxUser?: SandboxUser;
}

export interface PlannedRole {
  role: string;
  /** The command before each step's own arguments, templates rendered except `{{port}}` and `{{host}}` (filled per step). */
  command: string[];
  /** The role's usage (`PORT`, `HOST PORT`): what the steps' arguments carry. */
  usage: string;
  /** How the steps' arguments reach the program (plan/role-invocation.ts). */
  invocation: PlannedInvocation;
  cwd: string;
  /** The folder where a step's `files:` go and `{{dir.ROLE}}` points: where the program finds its files (its cwd unless the submission's pages are elsewhere). */
  filesDir: string;
  host: 'server' | 'client';
  source: 'reference' | 'submission';
  /** Set when the program is a submission's and must be confined (process/sandbox.ts). */
  sandbox?: SandboxRequest;
  /** Added to the program's environment: TMPDIR, the experiment's own /tmp (plan/contain-experiment.ts). */
  env: Record<string, string>;
  /** Why this role cannot be played (no program in the submission, a failed build). */
  unavailable?: string;
  /** Output such as a prompt, stripped before deciding that the program printed nothing. */
  ignoredOutput: RegExp[];
  /** Ports students hard-code for this role (intercepted in a world). */
  commonPorts: number[];
  /** Its program's own timers only make it give up (a reference tool such as curl): stillness may end its steps early. */
  timersGiveUp?: boolean;
  /** Set when the role runs on another machine (`--remote`, `--ssh`). */
  remote?: RemoteRoleDeployment;
}

export interface PlannedStep {
  index: number;
  /** Registry key of the step kind. */
  kind: string;
  /** The step with every template rendered. */
  body: Record<string, unknown>;
  label: string;
  /** The role it launches (run, start). */
  role?: string;
  /** The host it acts on: its role's host for a program, the kind's `runsOn` for a probe or fixture. */
  host?: 'server' | 'client' | 'internet';
  /** The service it defines (start, origin, …) or refers to (stop, wait). */
  name?: string;
  /** The experiment's ports and hosts the step names, in the order written. */
  told: { ports: number[]; hosts: string[] };
  /** The service it starts and where it will listen (a start step with `ready: { tcp | udp }`): hard-coded ports routed to it. */
  serves?: { name: string; protocol: 'tcp' | 'udp'; port: number; intercept: number[]; watch: number[]; strict: boolean };
  location: SourceLocation;
  expectLocations: Record<string, SourceLocation>;
}

export interface PlannedCapture {
  ports: number[];
  expect?: CaptureExpectation;
  /** Capture on the world's switch (it carries only this experiment's packets) instead of loopback. */
  inWorld: boolean;
}
