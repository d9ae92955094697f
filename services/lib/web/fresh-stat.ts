import { stat, type Stats } from 'node:fs';

// stat(2) of a path, shared by the requests that need it at the same time, and never older than the
// request that asks: each caller gets the result of a stat that *started after* it asked. So a file
// written before a request was sent is always seen as written, however busy the server is.
//
// Why share: each stat is a trip through libuv's thread pool, and waking a pool thread costs more
// than the stat (measured under wrk: a quarter of the main thread's time went into the wake-ups).
// Under load many requests for the same file arrive together, so:
// - a stat starts only at the end of the current event-loop turn (setImmediate), and every request
//   read in that turn shares it;
// - requests that arrive while it runs share the one that starts when it ends.

export type StatOutcome = { ok: true; stats: Stats } | { ok: false; error: NodeJS.ErrnoException };

interface Round {
  result: Promise<StatOutcome>;
  /** Set once the stat has been started: whoever asks after that waits for `next`. */
  started: boolean;
  /** The stat that starts when this one ends, for those who asked while this one was running. */
  next?: Promise<StatOutcome>;
}

export class FreshStats {
  private readonly rounds = new Map<string, Round>();

  stat(path: string): Promise<StatOutcome> {
    const round = this.rounds.get(path);
    if (!round) return this.startRound(path, 'this turn').result;
    if (!round.started) return round.result;
    // The running stat may have read the file before the caller's change: wait for the next one.
    round.next ??= round.result.then(() => this.startRound(path, 'now').result);
    return round.next;
  }

  private startRound(path: string, when: 'this turn' | 'now'): Round {
    let settle!: (outcome: StatOutcome) => void;
    const round: Round = { started: false, result: new Promise((resolve) => (settle = resolve)) };
    const start = () => {
      round.started = true;
      stat(path, (error, stats) => {
        if (this.rounds.get(path) === round) this.rounds.delete(path);
        settle(error ? { ok: false, error } : { ok: true, stats });
      });
    };
    this.rounds.set(path, round);
    if (when === 'now') start();
    else setImmediate(start);
    return round;
  }
}
