import { stat, type Stats } from 'node:fs';

// stat(2) of a path, shared by the requests that need it at the same time, and never older than the
// request that asks: each caller gets the result of a stat that *started after* it asked. So a file
// written before a request was sent is always seen as written, however busy the server is.
//
// Why share: under load many requests for the same file arrive while one stat is on its way through
// libuv's thread pool. Each would cost a trip of its own (about 5 µs of CPU, two threads woken); one
// stat queued behind the running one answers all of them.

export type StatOutcome = { ok: true; stats: Stats } | { ok: false; error: NodeJS.ErrnoException };

interface Round {
  result: Promise<StatOutcome>;
  /** The stat that starts when this one ends, for those who asked while this one was running. */
  next?: Promise<StatOutcome>;
}

export class FreshStats {
  private readonly running = new Map<string, Round>();

  stat(path: string): Promise<StatOutcome> {
    const round = this.running.get(path);
    if (!round) return this.start(path);
    // The running stat may have read the file before the caller's change: wait for the next one.
    round.next ??= round.result.then(() => this.start(path));
    return round.next;
  }

  private start(path: string): Promise<StatOutcome> {
    const round: Round = {
      result: new Promise((resolve) => {
        stat(path, (error, stats) => {
          if (this.running.get(path) === round) this.running.delete(path);
          resolve(error ? { ok: false, error } : { ok: true, stats });
        });
      }),
    };
    this.running.set(path, round);
    return round.result;
  }
}
