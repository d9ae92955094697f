// The result model: everything a run produces, as plain JSON-serialisable data.
// Reporters see only these types (never the runner); results.json is a RunResult verbatim.
import type { CaptureResult } from './capture.js';

export type { CaptureResult } from './capture.js';

/** Where something came from in a spec file (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A network or system error recognised in a program's output, or raised by a probe. */
export interface DetectedError {
  /** Stable name such as ECONNREFUSED, ETIMEDOUT, ENOTFOUND. */
  code: string;
  /** The evidence: the output line or exception message it was recognised from. */
  message: string;
}

/** One program's life: how it was started and how it ended. Outcomes are data, never exceptions. */
export interface ProcessResult {
  command: string[];
  cwd: string;
  pid: number | null;
  /** Exit code, or null when the program was ended by a signal or never started. */
  exitCode: number | null;
  signal: string | null;
  /** True when the harness stopped it because its time ran out. */
  timedOut: boolean;
  /** True when the harness stopped it (timeout, teardown, stop step, interrupt). */
  killed: boolean;
  /** Still running when the harness stopped it at the end of its step or experiment. */
  stillRunning: boolean;
  stdout: string;
  stderr: string;
  /** Base64 of stdout when it is not valid UTF-8 (so byte-exact checks stay possible). */
  stdoutBase64?: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  stdoutBytes: number;
  stderrBytes: number;
  /** Network error recognised in its output, or the spawn failure (ENOENT for a missing program). */
  error: DetectedError | null;
  /** Spawn failure: the program could not be started at all. */
  spawnError: DetectedError | null;
  durationMs: number;
  /** The network namespace it ran in (the two-host topology). */
  namespace?: string;
  /** True when it ran in the filesystem sandbox (bubblewrap). */
  sandboxed?: boolean;
}

/** The verdict of one expectation. `expected` and `actual` are short human-readable renderings. */
export interface ExpectationResult {
  /** Dotted path in the spec, e.g. `stdout.contains` or `exit`. */
  name: string;
  ok: boolean;
  expected: string;
  actual: string;
  message: string;
  location?: SourceLocation;
}

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
  /** Kind-specific data: an HTTP exchange (request, status, headers, body preview), what a fixture received. */
  details?: Record<string, unknown>;
  /** Files this step left in the report folder (relative paths), such as a browser screenshot. */
  artifacts?: string[];
  location: SourceLocation;
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
  /** Points earned: all or nothing for now. */
  score: number;
  explain?: string;
  location: SourceLocation;
  status: ExperimentStatus;
  startedAt: string;
  durationMs: number;
  /** Ports allocated for `{{ports.NAME}}`. */
  ports: Record<string, number>;
  hosts: Record<string, string>;
  /** Which command played each role used by the experiment. */
  roles: Record<string, string[]>;
  steps: StepResult[];
  /**
   * Every failed expectation, in order: those of the steps (also found on each StepResult) followed by
   * experiment-level ones such as `experiment.timeout`, which belong to no step.
   */
  failures: ExpectationResult[];
  error?: HarnessErrorInfo;
  /** Where it ran: `loopback`, or `two-hosts` (network namespaces joined by a veth pair). */
  topology?: 'loopback' | 'two-hosts';
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
  /** Format version of this JSON, bumped on incompatible changes. */
  version: 1;
  tool: { name: 'socklab'; version: string };
  status: RunStatus;
  startedAt: string;
  durationMs: number;
  counts: RunCounts;
  score: number;
  maxScore: number;
  /** Where the roles' programs came from: `reference` or a submission folder. */
  subject: string;
  environment: { node: string; platform: string; cpus: number; jobs: number; sandbox?: string };
  experiments: ExperimentResult[];
  /** When a submission was graded: which file plays each role, what is missing. */
  submission?: { folder: string; student: string; programs: Record<string, string>; missing: string[]; notes: string[] };
}

export function countResults(experiments: ExperimentResult[]): RunCounts {
  const counts: RunCounts = { total: experiments.length, passed: 0, failed: 0, error: 0, skipped: 0, interrupted: 0 };
  for (const experiment of experiments) counts[experiment.status] += 1;
  return counts;
}
