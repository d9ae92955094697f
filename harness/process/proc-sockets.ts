// A program's sockets on this machine, read from its namespace's socket table (its own /proc/PID/net
// tables, or the kernel's socket diagnostics through ss in the machine's namespace) and its file
// descriptors: reading never connects and never sends a datagram, so a server that handles only one
// request is not used up by readiness. A socket counts when the program itself (or a process of its
// group, such as a wrapper's child) holds it.
import { execFile } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import type { SocketView } from './launched-program.js';
import { findExecutable } from './limit-support.js';
import { platformSupport } from './platform-support.js';
import { acceptsConnections, lsofSockets } from './readiness-fallbacks.js';

/** The sockets of the program `pid` (and its process group), in its own network namespace. */
export function procSockets(pid: number | null): SocketView {
  return {
    listening: (protocol, onlyPort) => ownListeningSockets(pid, protocol, onlyPort),
    ownsBoundUdpSocket: () => ownsBoundUdpSocket(pid),
  };
}

/**
 * The ports the program itself (a process of its group) listens on (TCP) or has bound unconnected UDP
 * sockets on, in its own network namespace; the lowest first. A UDP socket connected to a peer (a
 * resolver's query) is no server socket.
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
  const { readiness, lsof } = platformSupport();
  // Without /proc (platform-support.ts). The program leads its process group (program.ts spawns it detached): lsof selects by group.
  if (readiness === 'lsof' && lsof) return (await lsofSockets(lsof, pid, protocol, { onlyPort })).map((socket) => ({ ...socket, inode: '' })).sort((a, b) => a.port - b.port);
  // A connect probe sees only the port it is given, and not whose listener it is, nor on which address.
  if (readiness === 'connect') return protocol === 'tcp' && onlyPort !== undefined && (await acceptsConnections(onlyPort)) ? [{ port: onlyPort, inode: '', loopback: false }] : [];
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

/**
 * Whether a process of `pid`'s group holds a UDP socket that is bound (it appears in the namespace's
 * UDP table only once bound; a client's socket is bound by its first sendto).
 */
async function ownsBoundUdpSocket(pid: number | null): Promise<boolean> {
  if (pid === null) return false;
  const { readiness, lsof } = platformSupport();
  if (readiness === 'lsof' && lsof) return (await lsofSockets(lsof, pid, 'udp', { connected: true })).length > 0;
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
