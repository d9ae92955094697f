// A role already running on another machine, started there by hand (`--remote ROLE=HOST:PORT`), as the
// lab has students do. socklab did not start it and does not stop it: its output and exit status stay
// there, so expectations on them are "not observable", never passed or failed. What socklab can see
// is the network: a TCP server is ready when it accepts a connection from this side.
import type { ProcessResult } from '../model/result.js';
import { exitWithin, type ExitInfo } from '../process/exit-info.js';
import type { LaunchedProgram, SocketView } from '../process/launched-program.js';
import { OutputCapture } from '../process/output-capture.js';
import { probedSockets } from './remote-sockets.js';

export interface HandStartedAt {
  role: string;
  host: string;
  port: number;
}

export class HandStartedProgram implements LaunchedProgram {
  readonly stdout = new OutputCapture();
  readonly stderr = new OutputCapture();
  /** Never settles: it runs over there until someone stops it by hand. */
  readonly exited = new Promise<ExitInfo>(() => undefined);
  readonly pid = null;
  readonly spawnError = null;
  readonly exitInfo = null;
  timedOut = false;
  readonly killed = false;
  readonly running = true;
  readonly endedAtMs = null;
  readonly cwd = '';
  readonly sockets: SocketView;
  readonly unobservable: string;

  constructor(
    private readonly where: HandStartedAt,
    /** What the spec would have started (the role's command and the step's arguments), for the record. */
    readonly command: readonly string[],
  ) {
    const at = `${where.host}:${where.port}`;
    this.unobservable = `${where.role} runs on ${at}, started by hand: socklab did not start it, so its output and exit status stay there`;
    this.sockets = probedSockets(where.host, `${where.role} was started by hand on ${where.host}`, this.unobservable);
  }

  waitForExit(ms: number, signal?: AbortSignal): Promise<ExitInfo | null> {
    return exitWithin(this.exited, ms, signal);
  }

  /** Nothing to stop: whoever started it stops it. */
  async stop(): Promise<void> {}

  result(extra: { stillRunning: boolean }): ProcessResult {
    return {
      command: [...this.command],
      cwd: '',
      pid: null,
      exitCode: null,
      signal: null,
      timedOut: false,
      killed: false,
      stillRunning: extra.stillRunning,
      stdout: '',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
      stdoutBytes: 0,
      stderrBytes: 0,
      error: null,
      spawnError: null,
      durationMs: 0,
      remote: { startedBy: 'hand', host: this.where.host, port: this.where.port },
    };
  }
}
