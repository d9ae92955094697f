// How the reference programs talk to whoever runs them: progress on stdout, problems on stderr,
// each as whole lines, and failures as one stderr line plus a distinct exit status.
//
// Exit statuses: 0 success, 1 a network failure (refused, timed out, cannot listen, …), 2 bad usage.

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface ProgramOutput {
  /** Writes a line to stdout as is (ready lines have their own fixed shape). */
  say(line: string): void;
  /**
   * Writes a line to stdout within 50 ms, with the others of that time in one write: for a line per
   * request under load (each write to a pipe is a syscall, and wakes the reader). Flushed before any
   * say, warn or fail and at exit, so the order of lines is kept and none is lost.
   */
  log(line: string): void;
  /** Writes "<program>: <line>" to stderr and carries on. */
  warn(line: string): void;
  /** Writes "<program>: <line>" to stderr and exits with `exitCode` (default 1). */
  fail(line: string, exitCode?: number): never;
}

const LOG_FLUSH_MS = 50;
const LOG_FLUSH_CHARACTERS = 16 * 1024;

export function createProgramOutput(program: string): ProgramOutput {
  // A runner that stops reading our output (closed pipe) must not turn into a crash with a stack
  // trace; the program's result is its exit status and the lines it could still deliver.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  let pending = '';
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (pending === '') return;
    process.stdout.write(pending);
    pending = '';
  };
  // stdout to a file or pipe is synchronous on Linux and macOS, so lines flushed at exit are not lost.
  process.on('exit', flush);
  return {
    say(line) {
      flush();
      process.stdout.write(`${line}\n`);
    },
    log(line) {
      pending += `${line}\n`;
      if (pending.length >= LOG_FLUSH_CHARACTERS) flush();
      else flushTimer ??= setTimeout(flush, LOG_FLUSH_MS).unref();
    },
    warn(line) {
      flush();
      process.stderr.write(`${program}: ${line}\n`);
    },
    fail(line, exitCode = EXIT_FAILURE) {
      // stdout/stderr to files and pipes are synchronous on Linux and macOS, so exiting right after
      // the write loses nothing, and exiting explicitly stops any pending socket or stdin read.
      flush();
      process.stderr.write(`${program}: ${line}\n`);
      process.exit(exitCode);
    },
  };
}

/** Writes raw bytes to stdout and exits once they are flushed. */
export function writeStdoutAndExit(bytes: Buffer, exitCode = 0): void {
  process.stdout.write(bytes, () => process.exit(exitCode));
}
