// What the runner holds for a program it launched, wherever that program runs: on this machine
// (program.ts), on another machine over SSH (remote/ssh-program.ts), or already running there, started
// by hand (remote/hand-started-program.ts). Steps, readiness and the service watch see only this.
import type { DetectedError, ProcessResult } from '../model/result.js';
import type { ExitInfo } from './exit-info.js';
import type { OutputCapture } from './output-capture.js';

/** A listening TCP socket, or a bound unconnected UDP socket, of a program. */
export interface ListeningSocket {
  port: number;
  /** Bound to 127.0.0.0/8 or ::1 only: another host cannot reach it. */
  loopback: boolean;
}

/** Readiness conditions a socket view may be unable to check. */
export type ReadinessCheck = 'tcp' | 'udp' | 'ownUdpSocket' | 'stdout';

/** A program's own sockets, as readiness sees them: its /proc tables here, `ss` over SSH elsewhere. */
export interface SocketView {
  /** The program's listening sockets of `protocol` (only `onlyPort`'s when given), lowest port first. */
  listening(protocol: 'tcp' | 'udp', onlyPort?: number): Promise<ListeningSocket[]>;
  /** Whether the program holds a bound UDP socket (a UDP client has sent its first datagram). */
  ownsBoundUdpSocket(): Promise<boolean>;
  /** Why `check` cannot be made from here (a UDP server on a machine socklab only reaches), or null. Default: every check can. */
  cannotCheck?(check: ReadinessCheck): string | null;
  /** What readiness waits for on `port`, when not "a TCP listener of its own" (a server reached from this side). */
  describeListener?(port: number): string;
  /** How the sockets are read, for the step's notes ("`ss` on host over SSH"); absent: the program's own /proc tables. */
  readonly method?: string;
  /** Least time between two looks (each may cost a round trip to another machine); default: readiness's own fast poll. */
  readonly pollMs?: number;
}

export interface LaunchedProgram {
  readonly stdout: OutputCapture;
  readonly stderr: OutputCapture;
  /** Resolves once the program has ended and its exit status is known. */
  readonly exited: Promise<ExitInfo>;
  /** The process socklab holds (a local pid), or null when nothing was started. */
  readonly pid: number | null;
  readonly spawnError: DetectedError | null;
  readonly exitInfo: ExitInfo | null;
  /** Set by the step that gave up waiting for it. */
  timedOut: boolean;
  /** True once socklab stopped it. */
  readonly killed: boolean;
  readonly running: boolean;
  /** performance.now() when it ended, or null while it runs. */
  readonly endedAtMs: number | null;
  /** The program's own command (without wrappers) and folder, as socklab knows them on this machine. */
  readonly command: readonly string[];
  readonly cwd: string;
  readonly sockets: SocketView;
  /**
   * Why socklab cannot see this program's output or exit status (a role started by hand on another
   * machine), or undefined when it can. Expectations on them are then "not observable", never judged.
   */
  readonly unobservable?: string;
  /** Resolves with the exit, or with null when `ms` passes (or `signal` aborts) first. */
  waitForExit(ms: number, signal?: AbortSignal): Promise<ExitInfo | null>;
  /** Stops all of it (its process group: SIGTERM, SIGKILL after `graceMs`) and waits until it is gone. */
  stop(graceMs?: number): Promise<void>;
  result(extra: { stillRunning: boolean }): ProcessResult;
}
