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
  /** True when the harness stopped it because its time ran out (or, with `stuck`, because it could only have run out). */
  timedOut: boolean;
  /**
   * Stopped before its timeout because it and every other program of the experiment waited for input
   * that nothing was going to send (process/stillness.ts): after how long, and what each waited in.
   */
  stuck?: { afterMs: number; waits: string[] };
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
  /** The unprivileged user (uid, also its gid) it ran as in the sandbox, when not socklab's own. */
  uid?: number;
}
