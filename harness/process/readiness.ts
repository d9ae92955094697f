// Waiting for a started service to be ready: a TCP listener or a bound UDP port (read from the
// service's own /proc/PID/net tables, so the probe never consumes a connection or a datagram the
// service would have to answer), a stdout line matching a pattern, or a fixed delay.
// Event-driven where possible, a short poll otherwise, always with a deadline, and it gives up early
// when the service exits.
import { execFile } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { findExecutable } from './limit-support.js';
import type { Program } from './program.js';

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

export type ReadyVerdict =
  | { ready: true; waitedMs: number; /** Where it listens, when `tcp`/`udp` was asked. */ listening?: Listening }
  | { ready: false; waitedMs: number; reason: string; /** With `tcp`/`udp` and no discovery: the ports it listens on instead. */ listeningElsewhere?: number[] };

/** Poll every millisecond while most services come up (the first FAST_PHASE_MS), every POLL_MS after. */
const FAST_POLL_MS = 1;
const FAST_PHASE_MS = 300;
const POLL_MS = 5;
/** How often a program is checked for listening elsewhere, and how long it must do so to have decided. */
const ELSEWHERE_CHECK_MS = 100;
const ELSEWHERE_DECIDED_MS = 500;

export async function waitUntilReady(program: Program, condition: ReadyCondition, timeoutMs: number, signal: AbortSignal): Promise<ReadyVerdict> {
  const started = performance.now();
  const waited = () => Math.round(performance.now() - started);
  const deadline = started + timeoutMs;
  const pending: Array<{ what: string; done: () => Promise<boolean> | boolean }> = [];
  let listening: Listening | undefined;
  for (const protocol of ['tcp', 'udp'] as const) {
    const port = condition[protocol];
    if (port === undefined) continue;
    const what = protocol === 'tcp' ? `TCP listener of its own on port ${port}` : `UDP socket of its own bound to port ${port}`;
    pending.push({
      what,
      done: async () => {
        const sockets = await ownListeningSockets(program.pid, protocol, condition.discover ? undefined : port);
        const ports = sockets.map((socket) => socket.port);
        const found = ports.includes(port) ? port : condition.discover ? ports[0] : undefined;
        if (found === undefined) return false;
        const on = sockets.filter((socket) => socket.port === found);
        listening = { protocol, port: found, loopbackOnly: on.every((socket) => socket.loopback) };
        return true;
      },
    });
  }
  if (condition.ownUdpSocket) pending.push({ what: 'a bound UDP socket of its own (its first datagram sent)', done: () => ownsBoundUdpSocket(program.pid) });
  if (condition.stdout !== undefined) {
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
  // A program that listens on another port and not on its own has decided: it is not waited out.
  const exactProtocol = condition.discover ? undefined : condition.tcp !== undefined ? 'tcp' : condition.udp !== undefined ? 'udp' : undefined;
  let nextElsewhereCheck = started + ELSEWHERE_CHECK_MS;
  let elsewhereSince: { at: number; ports: number[] } | undefined;
  while (true) {
    for (let index = pending.length - 1; index >= 0; index -= 1) if (await pending[index].done()) pending.splice(index, 1);
    if (pending.length > 0 && exactProtocol && performance.now() >= nextElsewhereCheck) {
      nextElsewhereCheck = performance.now() + ELSEWHERE_CHECK_MS;
      const ports = await ownListeningPorts(program.pid, exactProtocol);
      elsewhereSince = ports.length === 0 ? undefined : (elsewhereSince ?? { at: performance.now(), ports });
      if (elsewhereSince && performance.now() - elsewhereSince.at >= ELSEWHERE_DECIDED_MS) {
        return {
          ready: false,
          waitedMs: waited(),
          reason: `no ${pending.map((p) => p.what).join(' and no ')} after ${waited()}ms; it listens on ${ports.join(', ')} instead`,
          listeningElsewhere: ports,
        };
      }
    }
    if (pending.length === 0) return { ready: true, waitedMs: waited(), ...(listening ? { listening } : {}) };
    if (!program.running) {
      const how = program.spawnError ? program.spawnError.message : `it exited (${describeExit(program)}) before that`;
      return { ready: false, waitedMs: waited(), reason: `never showed ${pending.map((p) => `a ${p.what}`).join(' and ')}: ${how}` };
    }
    if (signal.aborted) return { ready: false, waitedMs: waited(), reason: 'the experiment was stopped while waiting' };
    if (performance.now() >= deadline) {
      // One last look: a program that got there while the deadline passed is ready, not late.
      for (let index = pending.length - 1; index >= 0; index -= 1) if (await pending[index].done()) pending.splice(index, 1);
      if (pending.length === 0) return { ready: true, waitedMs: waited(), ...(listening ? { listening } : {}) };
      const protocol = condition.tcp !== undefined ? 'tcp' : condition.udp !== undefined ? 'udp' : undefined;
      const elsewhere = protocol ? await ownListeningPorts(program.pid, protocol) : [];
      const instead = elsewhere.length ? `; it listens on ${elsewhere.join(', ')} instead` : '';
      return { ready: false, waitedMs: waited(), reason: `no ${pending.map((p) => p.what).join(' and no ')} after ${timeoutMs}ms${instead}`, ...(elsewhere.length ? { listeningElsewhere: elsewhere } : {}) };
    }
    await Promise.race([sleep(performance.now() - started < FAST_PHASE_MS ? FAST_POLL_MS : POLL_MS), program.exited]);
  }
}

function describeExit(program: Program): string {
  const info = program.exitInfo;
  if (!info) return 'unknown';
  return info.exitCode !== null ? `exit code ${info.exitCode}` : `signal ${info.signal}`;
}

/**
 * The ports the program itself (a process of its group) listens on (TCP, state 0A) or has bound
 * unconnected UDP sockets on, in its own network namespace; the lowest first. A UDP socket connected
 * to a peer (a resolver's query) is no server socket.
 */
export async function ownListeningPorts(pid: number | null, protocol: 'tcp' | 'udp', onlyPort?: number): Promise<number[]> {
  return [...new Set((await ownListeningSockets(pid, protocol, onlyPort)).map((socket) => socket.port))].sort((a, b) => a - b);
}

export interface TableEntry {
  port: number;
  inode: string;
  /** Bound to 127.0.0.0/8 or ::1. */
  loopback: boolean;
}

/** The program's own listening sockets (of `onlyPort`, when given), lowest port first. */
async function ownListeningSockets(pid: number | null, protocol: 'tcp' | 'udp', onlyPort?: number): Promise<TableEntry[]> {
  if (pid === null) return [];
  // The cheap table read first; the descriptors only once some socket could be the program's.
  const table = (await socketTable(pid, protocol, onlyPort)).filter((entry) => onlyPort === undefined || entry.port === onlyPort);
  if (table.length === 0) return [];
  const owned = (inodes: Set<string>) => table.filter((entry) => inodes.has(entry.inode));
  // The service itself nearly always holds the socket: look there first, the whole group only if not.
  let sockets = owned(await socketInodesOf(pid));
  if (sockets.length === 0) sockets = owned(await groupSocketInodes(pid));
  return sockets.sort((a, b) => a.port - b.port);
}

/** ::1, and IPv4's 127.0.0.0/8 mapped into IPv6 (::ffff:127.0.0.1, as Java binds it), in /proc's word order. */
const LOOPBACK_IPV6 = /^(0{24}01000000|0{16}FFFF0000[0-9A-F]{6}7F)$/i;

/**
 * Listening TCP sockets, or bound unconnected UDP sockets, in the namespace of `pid` (of `onlyPort`
 * when given, though the caller filters too).
 *
 * /proc/PID/net/tcp lists every socket of the namespace: in an experiment's own world that is a
 * handful, but in the machine's namespace it can be tens of thousands (a load test's TIME_WAITs),
 * and reading it grows with them. There the kernel's socket diagnostics (ss) are asked instead, for
 * listening sockets of the port only: the kernel walks its listening table and filters by port, so
 * the cost follows the listeners, not the machine.
 */
async function socketTable(pid: number, protocol: 'tcp' | 'udp', onlyPort?: number): Promise<TableEntry[]> {
  if (ssPath && (await inOurNamespace(pid))) {
    const entries = await diagnosticsTable(protocol, onlyPort);
    if (entries) return entries;
  }
  return procTable(pid, protocol);
}

/** The listening (TCP) or bound unconnected (UDP) sockets of `pid`'s namespace, from /proc/PID/net. Exported for tests. */
export async function procTable(pid: number, protocol: 'tcp' | 'udp'): Promise<TableEntry[]> {
  const entries: TableEntry[] = [];
  for (const table of [protocol, `${protocol}6`]) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const listening = protocol === 'tcp' ? fields[3] === '0A' : /:0000$/.test(fields[2]);
      const [address, port] = fields[1].split(':');
      // /proc/net writes IPv4 addresses as one little-endian word: 127.0.0.1 is 0100007F.
      const loopback = table.endsWith('6') ? LOOPBACK_IPV6.test(address) : /7F$/i.test(address);
      if (listening) entries.push({ port: parseInt(port, 16), inode: fields[9], loopback });
    }
  }
  return entries;
}

const ssPath = findExecutable('ss', `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`);
let ourNamespace: Promise<string> | undefined;

/** Whether `pid` shares socklab's network namespace (the machine's, not an experiment's world). */
async function inOurNamespace(pid: number): Promise<boolean> {
  ourNamespace ??= readlink('/proc/self/ns/net').catch(() => '');
  const [theirs, ours] = await Promise.all([readlink(`/proc/${pid}/ns/net`).catch(() => undefined), ourNamespace]);
  return theirs !== undefined && theirs === ours;
}

/**
 * `ss -Hn -e -tl [sport = :PORT]` in socklab's own namespace: the listening sockets with their inodes,
 * or undefined when ss is missing or fails. Exported for tests.
 */
export function diagnosticsTable(protocol: 'tcp' | 'udp', onlyPort?: number): Promise<TableEntry[] | undefined> {
  const ss = ssPath;
  if (!ss) return Promise.resolve(undefined);
  const args = ['-H', '-n', '-e', protocol === 'tcp' ? '-tl' : '-ul', ...(onlyPort === undefined ? [] : [`sport = :${onlyPort}`])];
  return new Promise((resolve) => {
    execFile(ss, args, { encoding: 'utf8', timeout: 2000 }, (error, stdout) => {
      if (error) return resolve(undefined);
      const entries: TableEntry[] = [];
      for (const line of stdout.split('\n')) {
        // State Recv-Q Send-Q Local:Port Peer:Port ino:N sk:…  (UDP's unconnected sockets are UNCONN)
        const fields = line.trim().split(/\s+/);
        const inode = /(?:^|\s)ino:(\d+)/.exec(line)?.[1];
        if (fields.length < 5 || !inode || inode === '0') continue;
        const local = fields[3];
        const colon = local.lastIndexOf(':');
        const address = local.slice(0, colon).replace(/^\[|\]$/g, '').replace(/%.*$/, '');
        entries.push({ port: Number(local.slice(colon + 1)), inode, loopback: /^(127\.|::1$|::ffff:127\.)/i.test(address) });
      }
      resolve(entries);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Whether a process of `pid`'s group holds a UDP socket that is bound (it appears in the namespace's
 * UDP table only once bound; a client's socket is bound by its first sendto).
 */
export async function ownsBoundUdpSocket(pid: number | null): Promise<boolean> {
  if (pid === null) return false;
  const bound = new Set<string>();
  for (const table of ['udp', 'udp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 9) bound.add(fields[9]);
    }
  }
  if (bound.size === 0) return false;
  // The program's own descriptors first; the whole group (a wrapper's child, e.g. under bwrap) only if not there.
  for (const inode of await socketInodesOf(pid)) if (bound.has(inode)) return true;
  for (const inode of await groupSocketInodes(pid)) if (bound.has(inode)) return true;
  return false;
}

/** Inodes of every socket held by `pid` or any process of its group. */
async function groupSocketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const member of await groupMembers(pid)) for (const inode of await socketInodesOf(member)) inodes.add(inode);
  return inodes;
}

/** Inodes of the sockets one process holds, read from its file descriptors. */
async function socketInodesOf(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  for (const target of targets) {
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(match[1]);
  }
  return inodes;
}

/** `pid` and every process in its process group (a wrapper such as `ip netns exec` or `sh -c` execs or forks). */
async function groupMembers(pid: number): Promise<number[]> {
  const members = [pid];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    const candidate = Number(entry);
    if (!Number.isInteger(candidate) || candidate === pid) continue;
    const stat = await readFile(`/proc/${candidate}/stat`, 'utf8').catch(() => '');
    // Fields after the command name (which may contain spaces) start at the last ')'.
    const group = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2];
    if (Number(group) === pid) members.push(candidate);
  }
  return members;
}
