// The result model: everything a run produces, as plain JSON-serialisable data.
// Reporters see only these types (never the runner); results.json is a RunResult verbatim.
import type { CaptureResult } from './capture.js';
import type { Deployment } from './deployment.js';
import type { ExpectationResult, SourceLocation } from './expectation.js';
import type { ProcessResult, SourceLine } from './process-result.js';
import type { StepDetails } from './step-details.js';

export type { CaptureResult } from './capture.js';
export type * from './deployment.js';
export type * from './expectation.js';
export type * from './process-result.js';
export type * from './step-details.js';

export type StepStatus = 'passed' | 'failed' | 'error' | 'skipped' | 'interrupted';

export interface StepResult {
  /** 0-based position of the step in its experiment (reports show index + 1). */
  index: number;
  /** Step kind from the registry: run, start, stop, sleep, … */
  kind: string;
  /** Short title, e.g. `run tcp-client 127.0.0.1 40123`. */
  label: string;
  role?: string;
  /** Name other steps use to refer to a started program. */
  name?: string;
  status: StepStatus;
  /** Milliseconds since the experiment started. */
  startedAtMs: number;
  durationMs: number;
  stdin?: string;
  process?: ProcessResult;
  expectations: ExpectationResult[];
  /** Harness fault (tool missing, readiness timeout, crash) as opposed to a failed expectation. */
  error?: HarnessErrorInfo;
  /** Why a step was skipped (e.g. an earlier step failed, or a browser is not installed). */
  skipReason?: string;
  notes: string[];
  /** What the step's kind saw, typed per kind: an HTTP exchange, an SMTP dialog, a relay's counts, … */
  details?: StepDetails;
  /**
   * The experiment's ports and hosts this step named (`{{ports.NAME}}`, `{{server.host}}`), in the
   * order written: a client told to contact port P, a server told to listen on it.
   */
  told?: { ports: number[]; hosts: string[] };
  /** In an experiment's world: what its program (or the service it started) looked up, and where its hard-coded destinations were delivered. */
  world?: WorldEvents;
  /** Files the step put in its program's folder before starting it (a web server's pages). */
  placedFiles?: string[];
  /** Files this step left in the report folder (relative paths), such as a browser screenshot. */
  artifacts?: string[];
  /**
   * Expectations socklab could not evaluate from this side (the output and exit of a program started by
   * hand on another machine, `--remote`): neither passed nor failed, and not scored.
   */
  notObservable?: NotObservable[];
  location: SourceLocation;
}

/** An expectation of the spec that could not be observed from this side: what it asked, and why it was not judged. */
export interface NotObservable {
  /** The `expect` key, as an ExpectationResult would name it: `stdout`, `exit`, `exit (implicit)`. */
  name: string;
  /** What the spec expected, as written. */
  expected: string;
  /** `not observable with --remote: tcp-server runs on 198.51.100.2:40000, started by hand …`. */
  reason: string;
  location?: SourceLocation;
}

/** What an experiment's world saw of one program: names it looked up, connections socklab delivered elsewhere. */
export interface WorldEvents {
  host: 'server' | 'client' | 'internet';
  /**
   * Every name looked up and the address the world's DNS answered (null: no answer for that type).
   * `hardCodedAt`: the source line that writes the name (`serverName = 'servername'`).
   */
  lookups: Array<{ name: string; type: string; answer: string | null; hardCodedAt?: SourceLine }>;
  /**
   * "It connected to `asked`; socklab delivered it to `deliveredTo`". `serverMoved`: it used the port
   * it was told, where the server did not listen (the server's hard-coded port, not the client's).
   * `hardCodedAt`: where the program's source writes the port it used; `hostHardCodedAt`, for a
   * connection to localhost, where it writes that address (`serverName = '127.0.0.1'`). `address`:
   * where it was going: a loopback address (localhost), another address, or the address of the service
   * it reached (only its port was wrong).
   */
  delivered: Array<{ protocol: 'tcp' | 'udp'; asked: string; port: number; deliveredTo: string; connections: number; serverMoved?: boolean; hardCodedAt?: SourceLine; hostHardCodedAt?: SourceLine; address?: 'loopback' | 'other' | 'the-service' }>;
  /**
   * Connections to localhost at the port a strict experiment (`intercept: false`) gave its service:
   * not delivered, since the program was told the server's address and used its own instead.
   */
  undelivered?: Array<{ protocol: 'tcp' | 'udp'; asked: string; port: number; service: string; connections: number; hostHardCodedAt?: SourceLine }>;
  /** Connections to a hard-coded port this experiment does not intercept (a strict command-line check): they went where they were going. */
  watched?: Array<{ protocol: 'tcp' | 'udp'; port: number; service: string; servicePort: number; connections: number; hardCodedAt?: SourceLine }>;
  /** For a server: where it was told to listen and where it does (port discovery). */
  listening?: { protocol: 'tcp' | 'udp'; given: number; actual: number; loopbackOnly: boolean; hardCodedAt?: SourceLine };
}


/** Which program of a submission plays a role, and why (grade/detect-programs.ts). */
export interface FoundProgram {
  role: string;
  /** The file (relative to the submission) with its mode word if any (`tcp.py server`), or the socklab.yaml command. */
  program: string;
  /** `file name`: the lab's name for it; `content`: what its code does; `socklab.yaml`: the submission says. */
  how: 'socklab.yaml' | 'file name' | 'content';
  /** What its code does (`a TCP server (SOCK_STREAM, bind, listen, accept)`), or `its name`, or `socklab.yaml`. */
  why: string;
  /** How it takes the steps' arguments, when its source shows it: `IP PORT`, and the line. */
  convention?: { name: string; source?: SourceLine };
  /** Where it finds its files, when not its own folder: the folder of its HelloWorld.html. */
  filesDir?: string;
  /** Other files that could have played the role; the choice is deterministic (grade/detect-programs.ts). */
  others?: string[];
}

export interface HarnessErrorInfo {
  code: string;
  message: string;
}

export type ExperimentStatus = 'passed' | 'failed' | 'error' | 'skipped' | 'interrupted';

export interface ExperimentResult {
  id: string;
  title: string;
  tags: string[];
  points: number;
  /** Points earned (scoring.ts): all or nothing, or a share of them with `partial: true`. */
  score: number;
  explain?: string;
  location: SourceLocation;
  status: ExperimentStatus;
  startedAt: string;
  durationMs: number;
  /** Ports allocated for `{{ports.NAME}}`. */
  ports: Record<string, number>;
  hosts: Record<string, string>;
  /** The command that played each role the experiment launched (each step adds its own arguments). */
  roles: Record<string, string[]>;
  /** The roles a submission's programs played here: what this experiment judges (the others were reference partners). */
  judged?: string[];
  steps: StepResult[];
  /**
   * Every failed expectation, in order: those of the steps (also found on each StepResult), then the
   * packet capture's (also in `capture.expectations`), then experiment-level ones such as
   * `experiment.timeout`, which belong to no step.
   */
  failures: ExpectationResult[];
  error?: HarnessErrorInfo;
  /**
   * Where it ran on this machine: `loopback` (its own network, no world), or `two-hosts` (network
   * namespaces joined by a veth pair). `deployment` says where every role ran, other machines included.
   */
  topology?: 'loopback' | 'two-hosts';
  /** How it was deployed: one host, two namespaces, or roles on other machines (by hand or over SSH). */
  deployment?: Deployment;
  /** Notes about how the experiment ran (a fallback to loopback, a capture caveat). */
  notes?: string[];
  /** Why the experiment did not run (its `skip:` reason, or "interrupted"). */
  skipReason?: string;
  /** Packets seen during the experiment, when capture was asked for (`capture:` or `--capture`). */
  capture?: CaptureResult;
  /** Set when the first attempt hit a harness error and the experiment was run again. */
  retried?: { reason: string };
  /** Feedback for the student, read from the evidence (grading): "looks like Python 2", … */
  feedback?: Array<{ code: string; message: string }>;
  /** Not shown to students in their feedback (Gradescope visibility "hidden"). */
  hidden?: boolean;
}

export type RunStatus = 'passed' | 'failed' | 'error' | 'interrupted';

export interface RunCounts {
  total: number;
  passed: number;
  failed: number;
  error: number;
  skipped: number;
  interrupted: number;
}

export interface RunResult {
  /**
   * Format version of this JSON, bumped on incompatible changes (2: typed step details, capture checks in
   * `capture`). Fields added since without a bump, all optional, so a reader of 2 may meet files without
   * them: `deployment` on experiments, `notObservable` on steps, `remote` on processes and captures.
   */
  version: 2;
  tool: { name: 'socklab'; version: string };
  status: RunStatus;
  startedAt: string;
  durationMs: number;
  counts: RunCounts;
  score: number;
  maxScore: number;
  /** Where the roles' programs came from: `reference` or a submission folder. */
  subject: string;
  environment: {
    node: string;
    platform: string;
    cpus: number;
    jobs: number;
    sandbox?: string;
    /** Where each resource limit of submission programs is held (cgroup v2, v1, rlimits) or why it is not. */
    limits?: string;
    /** What of socklab's Linux machinery this platform lacks and what the run did instead (no /proc: readiness by lsof, …). */
    missing?: string[];
  };
  experiments: ExperimentResult[];
  /** When a submission was graded: which file plays each role, what is missing. */
  submission?: {
    folder: string;
    student: string;
    programs: Record<string, string>;
    missing: string[];
    notes: string[];
    /** Per role: which program plays it, why, and how it takes its arguments. */
    found?: FoundProgram[];
  };
}

export function countResults(experiments: ExperimentResult[]): RunCounts {
  const counts: RunCounts = { total: experiments.length, passed: 0, failed: 0, error: 0, skipped: 0, interrupted: 0 };
  for (const experiment of experiments) counts[experiment.status] += 1;
  return counts;
}
