// Waiting for a started service to be ready: a TCP listener or a bound UDP port (read from the
// program's own sockets, its SocketView: /proc here, so the probe never consumes a connection or a
// datagram the service would have to answer), a stdout line matching a pattern, or a fixed delay.
// Event-driven where possible, a short poll otherwise, always with a deadline, and it gives up early
// when the service exits. A condition the view cannot check from here (a UDP server on another
// machine) is left out with a note, never waited for in vain. Without /proc, this machine's view
// reads lsof or makes a connect probe (proc-sockets.ts, platform-support.ts), and a UDP socket that
// nothing can see is taken as there after a delay, said so.
import type { LaunchedProgram, ReadinessCheck, SocketView } from './launched-program.js';
import { platformSupport, UNSEEN_UDP_DELAY_MS } from './platform-support.js';

export interface ReadyCondition {
  tcp?: number;
  udp?: number;
  /**
   * Port discovery: a TCP listener (or bound UDP socket) of the program on any port counts, and the
   * verdict says which port. Judged on where it really listens, as a person trying it would.
   */
  discover?: boolean;
  /** The program (or a process of its group) owns a bound UDP socket: a client has sent its first datagram. */
  ownUdpSocket?: boolean;
  stdout?: string;
  delayMs?: number;
}

export interface Listening {
  protocol: 'tcp' | 'udp';
  port: number;
  /** It listens on 127.0.0.1 or ::1 only: another host cannot reach it. */
  loopbackOnly: boolean;
}

interface VerdictNotes {
  /** Conditions left out because they cannot be checked from here, each with why. */
  unchecked?: string[];
  /** Whether the program's sockets were looked at (its SocketView's `method` then says how). */
  socketsRead?: true;
  /** How it was seen on this machine without /proc: `seen by lsof`, `taken as there after 1000ms: …`. */
  seenBy?: string;
}

export type ReadyVerdict =
  | ({ ready: true; waitedMs: number; /** Where it listens, when `tcp`/`udp` was asked. */ listening?: Listening } & VerdictNotes)
  | ({ ready: false; waitedMs: number; reason: string; /** With `tcp`/`udp` and no discovery: the ports it listens on instead. */ listeningElsewhere?: number[] } & VerdictNotes);

/** Poll every millisecond while most services come up (the first FAST_PHASE_MS), every POLL_MS after. */
const FAST_POLL_MS = 1;
const FAST_PHASE_MS = 300;
const POLL_MS = 5;
/** How often a program is checked for listening elsewhere, and how long it must do so to have decided. */
const ELSEWHERE_CHECK_MS = 100;
const ELSEWHERE_DECIDED_MS = 500;

export async function waitUntilReady(program: LaunchedProgram, condition: ReadyCondition, timeoutMs: number, signal: AbortSignal): Promise<ReadyVerdict> {
  const started = performance.now();
  const waited = () => Math.round(performance.now() - started);
  const deadline = started + timeoutMs;
  const { sockets } = program;
  const unchecked: string[] = [];
  const checkable = (check: ReadinessCheck) => {
    const reason = sockets.cannotCheck?.(check) ?? null;
    if (reason) unchecked.push(reason);
    return reason === null;
  };
  const pending: Array<{ what: string; done: () => Promise<boolean> | boolean; sockets?: true }> = [];
  let listening: Listening | undefined;
  // This machine's own view (no `method`) follows the platform: /proc, else lsof, else a connect probe.
  const method = sockets.method === undefined ? platformSupport().readiness : 'proc';
  const asksSockets = condition.tcp !== undefined || condition.udp !== undefined || condition.ownUdpSocket;
  const seenBy = !asksSockets ? undefined : method === 'lsof' ? 'seen by lsof' : method === 'connect' ? 'seen by connecting' : undefined;
  const unseenUntil = started + UNSEEN_UDP_DELAY_MS;
  let assumed = false;
  for (const protocol of ['tcp', 'udp'] as const) {
    const port = condition[protocol];
    if (port === undefined || !checkable(protocol)) continue;
    if (protocol === 'udp' && method === 'connect') {
      // No way to see a UDP socket without /proc or lsof: taken as there after a delay, and said so.
      pending.push({ what: `UDP socket bound to port ${port} (taken as there after ${UNSEEN_UDP_DELAY_MS}ms)`, done: () => (assumed = performance.now() >= unseenUntil) });
      continue;
    }
    const what = protocol === 'tcp' ? (sockets.describeListener?.(port) ?? `TCP listener of its own on port ${port}`) : `UDP socket of its own bound to port ${port}`;
    pending.push({
      what,
      sockets: true,
      done: async () => {
        const found = await sockets.listening(protocol, condition.discover ? undefined : port);
        const ports = found.map((socket) => socket.port);
        const chosen = ports.includes(port) ? port : condition.discover ? ports[0] : undefined;
        if (chosen === undefined) return false;
        const on = found.filter((socket) => socket.port === chosen);
        listening = { protocol, port: chosen, loopbackOnly: on.every((socket) => socket.loopback) };
        return true;
      },
    });
  }
  if (condition.ownUdpSocket && checkable('ownUdpSocket')) {
    if (method === 'connect') pending.push({ what: `its first datagram (taken as sent after ${UNSEEN_UDP_DELAY_MS}ms)`, done: () => (assumed = performance.now() >= unseenUntil) });
    else pending.push({ what: 'a bound UDP socket of its own (its first datagram sent)', sockets: true, done: () => sockets.ownsBoundUdpSocket() });
  }
  if (condition.stdout !== undefined && checkable('stdout')) {
    const pattern = new RegExp(condition.stdout);
    let seen = false;
    const unsubscribe = program.stdout.onLine((line) => {
      if (pattern.test(line)) seen = true;
    });
    pending.push({ what: `a stdout line matching /${condition.stdout}/`, done: () => seen && (unsubscribe(), true) });
  }
  if (condition.delayMs !== undefined) {
    const until = started + condition.delayMs;
    pending.push({ what: `a delay of ${condition.delayMs}ms`, done: () => performance.now() >= until });
  }
  const socketsRead = pending.some((condition) => condition.sockets);
  const notes: VerdictNotes = { ...(unchecked.length ? { unchecked } : {}), ...(socketsRead ? { socketsRead: true as const } : {}) };
  const how = (): VerdictNotes => ({ ...notes, ...(assumed ? { seenBy: `taken as there after ${UNSEEN_UDP_DELAY_MS}ms: UDP sockets cannot be seen without /proc or lsof` } : seenBy ? { seenBy } : {}) });
  // A program that listens on another port and not on its own has decided: it is not waited out.
  const exactProtocol = condition.discover ? undefined : condition.tcp !== undefined ? 'tcp' : condition.udp !== undefined ? 'udp' : undefined;
  const checksElsewhere = exactProtocol !== undefined && pending.some((condition) => condition.sockets);
  let nextElsewhereCheck = started + Math.max(ELSEWHERE_CHECK_MS, sockets.pollMs ?? 0);
  let elsewhereSince: { at: number; ports: number[] } | undefined;
  while (true) {
    for (let index = pending.length - 1; index >= 0; index -= 1) if (await pending[index].done()) pending.splice(index, 1);
    if (pending.length > 0 && checksElsewhere && performance.now() >= nextElsewhereCheck) {
      nextElsewhereCheck = performance.now() + Math.max(ELSEWHERE_CHECK_MS, sockets.pollMs ?? 0);
      const ports = await listeningPorts(sockets, exactProtocol);
      elsewhereSince = ports.length === 0 ? undefined : (elsewhereSince ?? { at: performance.now(), ports });
      if (elsewhereSince && performance.now() - elsewhereSince.at >= ELSEWHERE_DECIDED_MS) {
        const reason = `no ${pending.map((p) => p.what).join(' and no ')} after ${waited()}ms; it listens on ${ports.join(', ')} instead`;
        return { ready: false, waitedMs: waited(), reason, listeningElsewhere: ports, ...notes };
      }
    }
    if (pending.length === 0) return { ready: true, waitedMs: waited(), ...(listening ? { listening } : {}), ...how() };
    if (!program.running) {
      const how = program.spawnError ? program.spawnError.message : `it exited (${describeExit(program)}) before that`;
      return { ready: false, waitedMs: waited(), reason: `never showed ${pending.map((p) => `a ${p.what}`).join(' and ')}: ${how}`, ...notes };
    }
    if (signal.aborted) return { ready: false, waitedMs: waited(), reason: 'the experiment was stopped while waiting', ...notes };
    if (performance.now() >= deadline) {
      // One last look: a program that got there while the deadline passed is ready, not late.
      for (let index = pending.length - 1; index >= 0; index -= 1) if (await pending[index].done()) pending.splice(index, 1);
      if (pending.length === 0) return { ready: true, waitedMs: waited(), ...(listening ? { listening } : {}), ...how() };
      const protocol = condition.tcp !== undefined ? 'tcp' : condition.udp !== undefined ? 'udp' : undefined;
      const elsewhere = protocol && socketsRead ? await listeningPorts(sockets, protocol) : [];
      const instead = elsewhere.length ? `; it listens on ${elsewhere.join(', ')} instead` : '';
      const reason = `no ${pending.map((p) => p.what).join(' and no ')} after ${timeoutMs}ms${instead}`;
      return { ready: false, waitedMs: waited(), reason, ...(elsewhere.length ? { listeningElsewhere: elsewhere } : {}), ...notes };
    }
    const poll = Math.max(sockets.pollMs ?? 0, performance.now() - started < FAST_PHASE_MS ? FAST_POLL_MS : POLL_MS);
    await Promise.race([sleep(poll), program.exited]);
  }
}

function describeExit(program: LaunchedProgram): string {
  const info = program.exitInfo;
  if (!info) return 'unknown';
  return info.exitCode !== null ? `exit code ${info.exitCode}` : `signal ${info.signal}`;
}

/** The ports the program listens on (`protocol`), lowest first. */
async function listeningPorts(sockets: SocketView, protocol: 'tcp' | 'udp'): Promise<number[]> {
  return [...new Set((await sockets.listening(protocol)).map((socket) => socket.port))].sort((a, b) => a - b);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
