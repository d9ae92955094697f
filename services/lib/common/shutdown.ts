// Servers stop on SIGTERM (what a test harness sends) and SIGINT (Ctrl-C) with exit status 0:
// being told to stop is the normal end of a server's life, not a failure.

const FORCED_EXIT_AFTER_MS = 2000;

/**
 * Calls `stop` on the first SIGTERM/SIGINT and exits 0 when it settles. A second signal, or a stop
 * that takes longer than 2s (a peer that never finishes closing), exits at once.
 */
export function exitCleanlyOnSignals(announce: (signal: string) => void, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(0);
    stopping = true;
    announce(signal);
    setTimeout(() => process.exit(0), FORCED_EXIT_AFTER_MS).unref();
    stop().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
