// A program's sockets on this machine, read from its namespace's socket table (its own /proc/PID/net
// tables, or the kernel's socket diagnostics through ss in the machine's namespace) and its file
// descriptors: reading never connects and never sends a datagram, so a server that handles only one
// request is not used up by readiness. A socket counts when the program itself (or a process of its
// group, such as a wrapper's child) holds it.
import { execFile } from 'node:child_process';
import { open, readFile, readlink } from 'node:fs/promises';
import type { SocketView } from './launched-program.js';
import { findExecutable } from './limit-support.js';
import { platformSupport } from './platform-support.js';
import { groupMembers, readText, socketInodesOfAll, withDescendants } from './process-tree.js';
import { acceptsConnections, lsofSockets } from './readiness-fallbacks.js';

/**
 * The sockets of the program `pid` (and its process group), in its own network namespace.
 *
 * The view reads first the namespace's socket counts (/proc/PID/net/sockstat and sockstat6, two short
 * files): when they are what they were at a look that found nothing, no socket was made, bound,
 * put to listen or closed in the namespace since, and the answer is still no. Otherwise it looks at
 * the program's descriptors (its tree's: a wrapper's child counts), a few microseconds per socket:
 * the table is read only when the program holds an Internet socket (not one of the Unix socket pairs
 * Node gives a child as its stdio), and again only once it holds a new one or RECHECK_MS have
 * passed. Every FULL_LOOK_MS it reads the table anyway, with its whole process group, for a socket
 * held by a process that left its tree (a double fork), or one whose listen() went with another
 * socket's close in the same millisecond and left the counts as they were.
 */
export function procSockets(pid: number | null): SocketView {
  const look = new ProgramLook(pid);
  return {
    listening: (protocol, onlyPort) => ownListeningSockets(look, protocol, onlyPort),
    ownsBoundUdpSocket: () => ownsBoundUdpSocket(look),
  };
}

/** How often a view that finds no socket in the program's tree looks at the whole table and process group anyway. */
const FULL_LOOK_MS = 100;
/** How long a look that found nothing holds while the program's Internet sockets stay the same (a socket made now and bound later). */
const RECHECK_MS = 20;

/** What one view has learnt of its program's sockets, so that most looks read nothing but its descriptors. */
class ProgramLook {
  private lastFullLook = performance.now();
  /** Inodes known to be Unix sockets (stdio pairs), never in an Internet table. */
  private readonly unix = new Set<string>();
  /** Inodes known not to be Unix sockets: the program's Internet sockets. */
  private readonly internet = new Set<string>();
  /** Per question (protocol and port), the candidates and time of the last look that found nothing. */
  private readonly misses = new Map<string, { candidates: Set<string>; at: number }>();
  /** Per question, the namespace's socket counts at the last look that found nothing. */
  private readonly quietCounts = new Map<string, string>();

  /** `everyLookFull`: for a single question, asked once (ownListeningPorts). */
  constructor(
    readonly pid: number | null,
    private readonly everyLookFull = false,
  ) {}

  /** Whether this look should read the table even without candidates, and search the process group. */
  fullLookDue(): boolean {
    if (this.everyLookFull) return true;
    if (performance.now() - this.lastFullLook < FULL_LOOK_MS) return false;
    this.lastFullLook = performance.now();
    return true;
  }

  /** The Internet (not Unix) sockets of the program's tree. */
  candidates(pid: number): Set<string> {
    const inodes = socketInodesOfAll(withDescendants([pid]));
    for (const inode of this.unix) inodes.delete(inode);
    // Inodes not seen before: the namespace's Unix sockets (a short table) say which are pairs and not Internet sockets.
    if ([...inodes].some((inode) => !this.internet.has(inode))) {
      for (const inode of unixSocketInodes(pid)) if (inodes.delete(inode)) this.unix.add(inode);
      for (const inode of inodes) this.internet.add(inode);
    }
    return inodes;
  }

  /** Whether `question` was asked of the same candidates less than RECHECK_MS ago, and nothing was found. */
  stillMissing(question: string, candidates: Set<string>): boolean {
    const miss = this.misses.get(question);
    return miss !== undefined && performance.now() - miss.at < RECHECK_MS && [...candidates].every((inode) => miss.candidates.has(inode));
  }

  missed(question: string, candidates: Set<string>, found: boolean): void {
    if (found) this.misses.delete(question);
    else this.misses.set(question, { candidates, at: performance.now() });
  }

  /** Whether the namespace's socket counts (`counts`) are those of the last look that found nothing for `question`. */
  unchangedSinceNothing(question: string, counts: string | undefined): boolean {
    return counts !== undefined && this.quietCounts.get(question) === counts;
  }

  /** What a look found for `question`, with the counts read before it. */
  answered<T>(question: string, counts: string | undefined, answer: T[]): T[] {
    if (answer.length === 0 && counts !== undefined) this.quietCounts.set(question, counts);
    else this.quietCounts.delete(question);
    return answer;
  }
}

/** The socket counts of the namespace of `pid`, IPv4 and IPv6; undefined when they cannot be read. */
function namespaceCounts(pid: number): string | undefined {
  const [ipv4, ipv6] = [readText(`/proc/${pid}/net/sockstat`), readText(`/proc/${pid}/net/sockstat6`)];
  return ipv4 === undefined ? undefined : `${ipv4}${ipv6 ?? ''}`;
}

/**
 * The ports the program itself (a process of its group) listens on (TCP) or has bound unconnected UDP
 * sockets on, in its own network namespace; the lowest first. A UDP socket connected to a peer (a
 * resolver's query) is no server socket.
 */
export async function ownListeningPorts(pid: number | null, protocol: 'tcp' | 'udp', onlyPort?: number): Promise<number[]> {
  const look = new ProgramLook(pid, true);
  return [...new Set((await ownListeningSockets(look, protocol, onlyPort)).map((socket) => socket.port))].sort((a, b) => a - b);
}

export interface TableEntry {
  port: number;
  inode: string;
  /** Bound to 127.0.0.0/8 or ::1. */
  loopback: boolean;
}

/** The program's own listening sockets (of `onlyPort`, when given), lowest port first. */
async function ownListeningSockets(look: ProgramLook, protocol: 'tcp' | 'udp', onlyPort: number | undefined): Promise<TableEntry[]> {
  const { pid } = look;
  if (pid === null) return [];
  const { readiness, lsof } = platformSupport();
  // Without /proc (platform-support.ts). The program leads its process group (program.ts spawns it detached): lsof selects by group.
  if (readiness === 'lsof' && lsof) return (await lsofSockets(lsof, pid, protocol, { onlyPort })).map((socket) => ({ ...socket, inode: '' })).sort((a, b) => a.port - b.port);
  // A connect probe sees only the port it is given, and not whose listener it is, nor on which address.
  if (readiness === 'connect') return protocol === 'tcp' && onlyPort !== undefined && (await acceptsConnections(onlyPort)) ? [{ port: onlyPort, inode: '', loopback: false }] : [];
  const question = `${protocol}:${onlyPort ?? ''}`;
  const fullLook = look.fullLookDue();
  const counts = namespaceCounts(pid);
  if (!fullLook && look.unchangedSinceNothing(question, counts)) return [];
  const candidates = look.candidates(pid);
  if (!fullLook && candidates.size === 0) return look.answered(question, counts, []);
  // Not an answer to keep: the counts may already hold this socket's listen().
  if (!fullLook && look.stillMissing(question, candidates)) return [];
  const wanted = (entry: TableEntry) => onlyPort === undefined || entry.port === onlyPort;
  const table = (await socketTable(pid, protocol, { onlyPort, candidates: fullLook ? undefined : candidates, counts })).filter(wanted);
  let sockets = table.filter((entry) => candidates.has(entry.inode));
  if (sockets.length === 0 && fullLook && table.length > 0) {
    const group = socketInodesOfAll(groupMembers(pid));
    sockets = table.filter((entry) => group.has(entry.inode));
  }
  look.missed(question, candidates, sockets.length > 0);
  return look.answered(question, counts, sockets.sort((a, b) => a.port - b.port));
}

/** ::1, and IPv4's 127.0.0.0/8 mapped into IPv6 (::ffff:127.0.0.1, as Java binds it), in /proc's word order. */
const LOOPBACK_IPV6 = /^(0{24}01000000|0{16}FFFF0000[0-9A-F]{6}7F)$/i;

/**
 * Listening TCP sockets, or bound unconnected UDP sockets, in the namespace of `pid` (of `onlyPort`
 * when given, though the caller filters too).
 *
 * The whole of /proc/PID/net/tcp costs a walk of the kernel's connection hash (milliseconds even when
 * it is empty) and grows with the namespace's connections: tens of thousands of a load test's
 * TIME_WAITs. But the kernel lists listening sockets first, so the TCP table is read only up to its
 * first connection, or, once every one of `candidates` (the program's Internet sockets) is among the
 * listeners seen, not even that far: its cost follows the listeners, as `ss -tl` does, without
 * starting a process. UDP has no such order: its table is read whole while the namespace's socket
 * counts (/proc/PID/net/sockstat) say it is small, else the kernel's socket diagnostics (ss) are asked
 * for the port's bound sockets only.
 */
async function socketTable(pid: number, protocol: 'tcp' | 'udp', options: { onlyPort?: number; candidates?: Set<string>; counts?: string }): Promise<TableEntry[]> {
  if (protocol === 'tcp') return tcpListeners(pid, options.candidates);
  if (ssPath && udpSockets(options.counts) > SMALL_TABLE && (await inOurNamespace(pid))) {
    const entries = await diagnosticsTable('udp', options.onlyPort);
    if (entries) return entries;
  }
  return procTable(pid, 'udp');
}

/** Up to this many sockets in a namespace, its /proc UDP table is read whole. */
const SMALL_TABLE = 1000;

/** How many UDP sockets a namespace holds, IPv4 and IPv6 together, from its socket counts (namespaceCounts); Infinity when unknown. */
function udpSockets(counts: string | undefined): number {
  if (counts === undefined) return Infinity;
  // UDP: inuse 1 mem 0   /   UDP6: inuse 0
  return [...counts.matchAll(/^UDP6?: inuse (\d+)/gm)].reduce((total, match) => total + Number(match[1]), 0);
}

/** A read of /proc/PID/net/tcp: about a hundred lines. The kernel makes only as many lines as a read asks for. */
const TABLE_READ_BYTES = 16 * 1024;

/**
 * The listening TCP sockets of `pid`'s namespace, from /proc/PID/net/tcp and tcp6 read up to their
 * first connection; with `candidates`, the reading also ends once all of them are found. A read that
 * comes back short has reached the end (asking again would walk the kernel's tables once more).
 */
export async function tcpListeners(pid: number, candidates?: Set<string>): Promise<TableEntry[]> {
  const entries: TableEntry[] = [];
  const unseen = new Set(candidates);
  for (const table of ['tcp', 'tcp6']) {
    let done = false;
    await readTableLines(pid, table, (line) => {
      const entry = tableEntry(line, table, 'tcp');
      // A connection: no listener comes after it.
      if (!entry) return true;
      entries.push(entry);
      unseen.delete(entry.inode);
      done = candidates !== undefined && unseen.size === 0;
      return done;
    });
    if (done) return entries;
  }
  return entries;
}

/**
 * The lines of /proc/PID/net/TABLE after its header, read a chunk at a time until `line` returns true
 * or the table ends: the kernel walks its socket tables only as far as the reads ask. A read that
 * comes back short has reached the end (asking again would walk the tables once more).
 */
async function readTableLines(pid: number, table: string, line: (text: string) => boolean): Promise<void> {
  const file = await open(`/proc/${pid}/net/${table}`).catch(() => undefined);
  if (!file) return;
  const buffer = Buffer.alloc(TABLE_READ_BYTES);
  try {
    let pending = '';
    let header = true;
    while (true) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      pending += buffer.toString('latin1', 0, bytesRead);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) {
        if (header) header = false;
        else if (line(text)) return;
      }
      if (bytesRead < buffer.length) return;
    }
  } finally {
    await file.close();
  }
}

/** The listening (TCP) or bound unconnected (UDP) sockets of `pid`'s namespace, from the whole of /proc/PID/net's tables. Exported for tests. */
export async function procTable(pid: number, protocol: 'tcp' | 'udp'): Promise<TableEntry[]> {
  const entries: TableEntry[] = [];
  for (const table of [protocol, `${protocol}6`]) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const entry = tableEntry(line, table, protocol);
      if (entry) entries.push(entry);
    }
  }
  return entries;
}

/** One line of /proc/PID/net/TABLE, when it is a listening (TCP) or bound unconnected (UDP) socket. */
function tableEntry(line: string, table: string, protocol: 'tcp' | 'udp'): TableEntry | undefined {
  const fields = line.trim().split(/\s+/);
  if (fields.length < 10) return undefined;
  const listening = protocol === 'tcp' ? fields[3] === '0A' : /:0000$/.test(fields[2]);
  if (!listening) return undefined;
  const [address, port] = fields[1].split(':');
  // /proc/net writes IPv4 addresses as one little-endian word: 127.0.0.1 is 0100007F.
  const loopback = table.endsWith('6') ? LOOPBACK_IPV6.test(address) : /7F$/i.test(address);
  return { port: parseInt(port, 16), inode: fields[9], loopback };
}

/** Inodes of the Unix sockets in `pid`'s namespace (/proc/PID/net/unix: a short table, read whole). */
function unixSocketInodes(pid: number): string[] {
  const text = readText(`/proc/${pid}/net/unix`) ?? '';
  // Num RefCount Protocol Flags Type St Inode Path
  return text.split('\n').slice(1).flatMap((line) => line.trim().split(/\s+/)[6] ?? []);
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
 * Whether a process of the program's tree (or, on a full look, its group) holds a UDP socket that is
 * bound (it appears in the namespace's UDP table only once bound; a client's socket is bound by its
 * first sendto).
 */
async function ownsBoundUdpSocket(look: ProgramLook): Promise<boolean> {
  const { pid } = look;
  if (pid === null) return false;
  const { readiness, lsof } = platformSupport();
  if (readiness === 'lsof' && lsof) return (await lsofSockets(lsof, pid, 'udp', { connected: true })).length > 0;
  const candidates = look.candidates(pid);
  const fullLook = look.fullLookDue();
  if (candidates.size === 0 && !fullLook) return false;
  const bound = new Set<string>();
  for (const table of ['udp', 'udp6']) {
    for (const line of (readText(`/proc/${pid}/net/${table}`) ?? '').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 9) bound.add(fields[9]);
    }
  }
  if ([...candidates].some((inode) => bound.has(inode))) return true;
  return fullLook && bound.size > 0 && [...socketInodesOfAll(groupMembers(pid))].some((inode) => bound.has(inode));
}
