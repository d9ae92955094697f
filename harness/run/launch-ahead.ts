// Starting the next step's program ahead of it. Putting a program in its cgroups costs the kernel an
// RCU grace period (10–20 ms here, program-limits.ts), and a step that waits for a server to be ready
// should start its client the moment the server listens, not 20 ms later. So while a step runs, the
// program the next step will launch is started held: in its cgroups, under its limits, before its first
// instruction. When the next step launches exactly that (same command, folder, environment, input,
// host, sandbox and limits), it is released and runs at once; anything else (a variable a step shared
// since, the next command-line convention after a usage error) discards it and starts afresh. The
// experiment's teardown discards one left unused. At most one is held at a time.
import { Program, type LaunchOptions } from '../process/program.js';
import { holdingSavesTime } from '../process/program-limits.js';

export class LaunchAhead {
  private held: { key: string; program: Program } | undefined;
  private discarding: Array<Promise<void>> = [];

  /**
   * Starts `options`' program held, unless one with the same options is held already, or holding would
   * save nothing (no cgroup to join) or change a limit (holdingSavesTime): then nothing is started.
   */
  prepare(options: LaunchOptions): void {
    if (!holdingSavesTime(options.sandbox?.user?.uid)) return;
    const key = launchKey(options);
    if (this.held?.key === key && this.held.program.running) return;
    this.drop();
    const program = new Program({ ...options, hold: true });
    // A program that cannot be started (not found) has nothing to hold: its launch says why.
    if (!program.held) {
      this.discarding.push(program.stop(0));
      return;
    }
    this.held = { key, program };
  }

  /** The held program, released, when it was started with `options`; otherwise nothing (and a held one is discarded). */
  take(options: LaunchOptions): Program | undefined {
    const held = this.held;
    if (!held) return undefined;
    this.held = undefined;
    if (held.key !== launchKey(options) || !held.program.running) {
      this.discarding.push(held.program.stop(0));
      return undefined;
    }
    held.program.release();
    return held.program;
  }

  /** Stops a program still held, and waits until every discarded one is gone with its cgroups. */
  async discard(): Promise<void> {
    this.drop();
    await Promise.all(this.discarding);
    this.discarding = [];
  }

  private drop(): void {
    if (this.held) this.discarding.push(this.held.program.stop(0));
    this.held = undefined;
  }
}

/** Everything a launch is made of, in a stable order (environment variables sorted). */
function launchKey(options: LaunchOptions): string {
  const { env, ...rest } = options;
  return JSON.stringify({ ...rest, env: Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) });
}
