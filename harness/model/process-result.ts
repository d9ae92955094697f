// One program's life as the result model records it: how it was started and how it ended.

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
  /**
   * Set when it ran on another machine: `command` and `cwd` are then as run there, and `pid` is its pid
   * there (the leader of its process group), when known.
   */
  remote?: RemoteProcess;
}

/** Where a program on another machine ran, and how socklab reached it. */
export interface RemoteProcess {
  /** `ssh`: socklab started it there over SSH; `hand`: it was already running, started by hand. */
  startedBy: 'ssh' | 'hand';
  /** The address socklab reached it at. */
  host: string;
  /** `hand`: where it listens. */
  port?: number;
  /** `ssh`: the user it ran as, and the machine's own name. */
  user?: string;
  hostName?: string;
  /** `ssh`: the temporary folder it ran in there, removed afterwards. */
  folder?: string;
}
