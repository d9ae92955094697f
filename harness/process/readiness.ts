// Waiting for a started service to be ready: a TCP listener or a bound UDP port (read from the
// service's own /proc/PID/net tables, so the probe never consumes a connection or a datagram the
// service would have to answer), a stdout line matching a pattern, or a fixed delay.
// Event-driven where possible, a short poll otherwise, always with a deadline, and it gives up early
// when the service exits.
import { readdir, readFile, readlink } from 'node:fs/promises';
import type { Program } from './program.js';

export interface ReadyCondition {
  tcp?: number;
  udp?: number;
  /** The program (or a process of its group) owns a bound UDP socket: a client has sent its first datagram. */
  ownUdpSocket?: boolean;
  stdout?: string;
  delayMs?: number;
}

export type ReadyVerdict = { ready: true; waitedMs: number } | { ready: false; waitedMs: number; reason: string };

/** Poll every millisecond while most services come up (the first FAST_PHASE_MS), every POLL_MS after. */
const FAST_POLL_MS = 1;
const FAST_PHASE_MS = 300;
const POLL_MS = 5;

export async function waitUntilReady(program: Program, condition: ReadyCondition, timeoutMs: number, signal: AbortSignal): Promise<ReadyVerdict> {
  const started = performance.now();
  const waited = () => Math.round(performance.now() - started);
  const deadline = started + timeoutMs;
  const pending: Array<{ what: string; done: () => Promise<boolean> | boolean }> = [];
  if (condition.tcp !== undefined) pending.push({ what: `a TCP listener of its own on port ${condition.tcp}`, done: () => listensItself(program.pid, 'tcp', condition.tcp!) });
  if (condition.udp !== undefined) pending.push({ what: `a UDP socket of its own bound to port ${condition.udp}`, done: () => listensItself(program.pid, 'udp', condition.udp!) });
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
  while (true) {
    for (let index = pending.length - 1; index >= 0; index -= 1) if (await pending[index].done()) pending.splice(index, 1);
    if (pending.length === 0) return { ready: true, waitedMs: waited() };
    if (!program.running) {
      const how = program.spawnError ? program.spawnError.message : `it exited (${describeExit(program)}) before that`;
      return { ready: false, waitedMs: waited(), reason: `never showed ${pending.map((p) => p.what).join(' and ')}: ${how}` };
    }
    if (signal.aborted) return { ready: false, waitedMs: waited(), reason: 'the experiment was stopped while waiting' };
    if (performance.now() >= deadline) {
      return { ready: false, waitedMs: waited(), reason: `no ${pending.map((p) => p.what).join(' and no ')} after ${timeoutMs}ms` };
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
 * Whether the program itself (a process of its group) listens (TCP, state 0A) or is bound (UDP) on
 * `port`, in its own network namespace. Someone else holding the port (a stale process, a squatter)
 * does not count. The cheap table lookup runs first; the socket ownership check only once it matches.
 */
export async function listensItself(pid: number | null, protocol: 'tcp' | 'udp', port: number): Promise<boolean> {
  const inodes = await socketInodes(pid, protocol, port);
  if (inodes.length === 0 || pid === null) return false;
  // The service itself nearly always holds the socket: look there first, the whole group only if not.
  const ownFirst = await socketInodesOf(pid);
  if (inodes.some((inode) => ownFirst.has(inode))) return true;
  const own = await groupSocketInodes(pid);
  return inodes.some((inode) => own.has(inode));
}

/** Inodes of the sockets listening (TCP) or bound (UDP) on `port` in the namespace of `pid`. */
async function socketInodes(pid: number | null, protocol: 'tcp' | 'udp', port: number): Promise<string[]> {
  const base = pid === null ? '/proc/net' : `/proc/${pid}/net`;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes: string[] = [];
  for (const table of [protocol, `${protocol}6`]) {
    const text = await readFile(`${base}/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[1].split(':')[1] !== hexPort) continue;
      // For TCP only LISTEN (0A) counts; a UDP socket is "ready" once bound.
      if (protocol === 'tcp' ? fields[3] === '0A' : true) inodes.push(fields[9]);
    }
  }
  return inodes;
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
