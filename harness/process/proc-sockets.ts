// A program's sockets on this machine, read from its own /proc/PID/net tables and file descriptors:
// reading never connects and never sends a datagram, so a server that handles only one request is not
// used up by readiness. A socket counts when the program itself (or a process of its group, such as a
// wrapper's child) holds it.
import { readdir, readFile, readlink } from 'node:fs/promises';
import type { SocketView } from './launched-program.js';

/** The sockets of the program `pid` (and its process group), in its own network namespace. */
export function procSockets(pid: number | null): SocketView {
  return {
    listening: (protocol, onlyPort) => ownListeningSockets(pid, protocol, onlyPort),
    ownsBoundUdpSocket: () => ownsBoundUdpSocket(pid),
  };
}

interface TableEntry {
  port: number;
  inode: string;
  /** Bound to 127.0.0.0/8 or ::1. */
  loopback: boolean;
}

/** The program's own listening sockets (of `onlyPort`, when given), lowest port first. */
async function ownListeningSockets(pid: number | null, protocol: 'tcp' | 'udp', onlyPort?: number): Promise<TableEntry[]> {
  if (pid === null) return [];
  // The cheap table read first; the descriptors only once some socket could be the program's.
  const table = (await socketTable(pid, protocol)).filter((entry) => onlyPort === undefined || entry.port === onlyPort);
  if (table.length === 0) return [];
  const owned = (inodes: Set<string>) => table.filter((entry) => inodes.has(entry.inode));
  // The service itself nearly always holds the socket: look there first, the whole group only if not.
  let sockets = owned(await socketInodesOf(pid));
  if (sockets.length === 0) sockets = owned(await groupSocketInodes(pid));
  return sockets.sort((a, b) => a.port - b.port);
}

/** ::1, and IPv4's 127.0.0.0/8 mapped into IPv6 (::ffff:127.0.0.1, as Java binds it), in /proc's word order. */
const LOOPBACK_IPV6 = /^(0{24}01000000|0{16}FFFF0000[0-9A-F]{6}7F)$/i;

/** Listening TCP sockets, or bound unconnected UDP sockets, in the namespace of `pid`. */
async function socketTable(pid: number, protocol: 'tcp' | 'udp'): Promise<TableEntry[]> {
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

/**
 * Whether a process of `pid`'s group holds a UDP socket that is bound (it appears in the namespace's
 * UDP table only once bound; a client's socket is bound by its first sendto).
 */
async function ownsBoundUdpSocket(pid: number | null): Promise<boolean> {
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
