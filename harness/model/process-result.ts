// One program's life as the result model records it: how it was started and how it ended.

/** A network or system error recognised in a program's output, or raised by a probe. */
export interface DetectedError {
  /** Stable name such as ECONNREFUSED, ETIMEDOUT, ENOTFOUND. */
  code: string;
  /** The evidence: the output line or exception message it was recognised from. */
  message: string;
}

/** A line of a program's source: `TCPServer.py:3 serverPort = 12000`. */
export interface SourceLine {
  /** Relative to the program's folder. */
  file: string;
  line: number;
  text: string;
}

/**
 * How a submission's program was given the step's arguments (lab/role-arguments.ts): the convention
 * its command line follows, and how socklab knew. Absent for reference programs and for a role
 * command without templates (the arguments as given).
 */
export interface Invocation {
  /** `PORT`, `IP PORT`, `--port PORT` (as the program spells the flag), `none`, `HOST PORT`, `--host HOST --port PORT`, `as given`, or `template`. */
  convention: string;
  /**
   * `source`: read from the program's source; `template`: the role command's own template; `tried`:
   * the next convention after a usage error; `handout`: a command-line experiment, which judges the
   * handout's convention whatever the program's own.
   */
  how: 'source' | 'template' | 'tried' | 'handout';
  /** The source line that shows the convention (`PORT = int(sys.argv[2])`). */
  source?: SourceLine;
  /** Earlier starts in the same step that ended with a usage error, in order. */
  tried?: Array<{ command: string[]; convention: string; ended: string }>;
}

/** How a program ended when its input ran out at an interactive prompt (EOFError at input()). */
export interface EndOfInput {
  /** The exception: `EOFError`, `KeyboardInterrupt`, `java.util.NoSuchElementException`. */
  exception: string;
  /** The source line that was waiting for input, as the traceback shows it. */
  at?: string;
}

/** One program's life: how it was started and how it ended. Outcomes are data, never exceptions. */
export interface ProcessResult {
  command: string[];
  /** How a submission's program was given its arguments (absent: as given). */
  invocation?: Invocation;
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
  /**
   * It stopped with only an EOFError (or KeyboardInterrupt) at a prompt once its input ran out, as an
   * interactive program does when a person presses Ctrl-D: an end, not a crash (process-expectations.ts).
   */
  endedAtEndOfInput?: EndOfInput;
  durationMs: number;
  /** The network namespace it ran in (the two-host topology). */
  namespace?: string;
  /** True when it ran in the filesystem sandbox (bubblewrap). */
  sandboxed?: boolean;
  /** The unprivileged user (uid, also its gid) it ran as in the sandbox, when not socklab's own. */
  uid?: number;
}
