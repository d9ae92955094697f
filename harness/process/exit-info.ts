// How a program ended, shared by the program, its limits, its sandbox and a program on another machine.
import os from 'node:os';

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
}

/**
 * A shell (or bwrap) reports a death by signal n as exit code 128+n: give back the signal, as a program
 * dying of a signal is what such a code nearly always is (a program that itself exits with 129–192 is
 * then shown as killed by a signal: the one ambiguity).
 */
export function decodeShellExit(exit: ExitInfo): ExitInfo {
  if (exit.signal !== null || exit.exitCode === null || exit.exitCode <= 128) return exit;
  const name = Object.entries(os.constants.signals).find(([, number]) => number === exit.exitCode! - 128)?.[0];
  return name ? { exitCode: null, signal: name } : exit;
}

/** Resolves with the exit once `exited` settles, or with null when `ms` passes (or `signal` aborts) first. */
export function exitWithin(exited: Promise<ExitInfo>, ms: number, signal?: AbortSignal): Promise<ExitInfo | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(null), ms);
    const onAbort = () => finish(null);
    signal?.addEventListener('abort', onAbort, { once: true });
    void exited.then((info) => finish(info));
    function finish(value: ExitInfo | null) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    }
  });
}
