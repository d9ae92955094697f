// Stillness: every program of an experiment waits for input that nothing is going to send. A client
// blocked in recv() on a server blocked in recv() (the handout's client after an empty line), a UDP
// client waiting for the reply to a datagram nobody received: a person watching would see that nothing
// can happen any more and press Ctrl-C. So does socklab, instead of waiting out the step's timeout.
//
// What "nothing can happen" means, read from the kernel for every thread of every process (and its
// descendants, a sandbox's included):
//   - it sleeps in a system call that only input ends (read, recvfrom, accept, wait4, poll or epoll
//     without a timeout, a futex without a timeout), or whose timeout cannot end before the step's
//     deadline (counted from the last look before the wait was seen, since the kernel shows the
//     timeout it was given, not what is left of it);
//   - no TCP connection of theirs is being made, and no socket has bytes still to send (the kernel
//     moves those on its own time: a datagram waiting for ARP, a retransmission);
//   - and over QUIET_MS nothing moved: the same system calls with the same arguments, no context
//     switch, no byte read or written (/proc/PID/io), the same bytes received and not read and the
//     same connections waiting to be accepted (bytes that stay put while every thread waits for input
//     are bytes no thread waits for: a thread waiting on their socket would have been woken).
// One kind of running thread counts as waiting too: a loop that reads a connection its peer closed
// (`while True: data = s.recv(4096); if data == '': break` in Python 3, where recv returns b'' at once
// for ever). It is seen as a thread that runs without ever sleeping (no voluntary context switch) nor
// reading or writing a byte, in a process holding a TCP connection in CLOSE_WAIT with nothing queued,
// for SPIN_QUIET_MS while its process gains CPU time: nothing it reads can ever end that loop (a
// thread computing that long without one system call, holding such a connection, would be taken for
// one; none of the lab's programs does). And a tool whose own timers only make it give up (curl -m:
// `givesUp`) waits for input whatever its timeout.
// Anything else (a thread running otherwise, a sleep(), a connect() in progress, a system call not
// listed, a file that cannot be read, an architecture without a table) means "not still": the step
// then runs to its timeout as before. In-process fixtures that act on their own time (a delayed origin,
// a relay, a kept-alive connection the origin closes later) are the caller's to rule out (`busy`).
import { readlink } from 'node:fs/promises';
import { platformSupport } from './platform-support.js';
import { listEntries, readText, socketInodesOf, statFields, withDescendants } from './process-tree.js';
import { readTableLines, unixSocketInodes } from './proc-sockets.js';

/** How long everything must stay unchanged before it counts as still. */
export const QUIET_MS = 250;
/**
 * How long a thread must spin on a closed connection, without a byte moving and gaining CPU time (so
 * really running, not merely waiting for a CPU on a loaded machine), before it counts as still.
 */
export const SPIN_QUIET_MS = 250;
const SPINNING = 'a loop reading a connection its peer closed';
const LOOK_EVERY_MS = 25;

type WaitKind = 'input' | 'poll-ms' | 'futex' | 'timespec';

/** System calls that only input (or a timeout, where they take one) ends: x86_64 and arm64 numbers. */
const WAITS: Record<string, Record<number, { name: string; kind: WaitKind; timeoutArg?: number }>> = {
  x64: {
    0: { name: 'read', kind: 'input' },
    7: { name: 'poll', kind: 'poll-ms', timeoutArg: 2 },
    19: { name: 'readv', kind: 'input' },
    23: { name: 'select', kind: 'timespec', timeoutArg: 4 },
    34: { name: 'pause', kind: 'input' },
    43: { name: 'accept', kind: 'input' },
    45: { name: 'recvfrom', kind: 'input' },
    47: { name: 'recvmsg', kind: 'input' },
    61: { name: 'wait4', kind: 'input' },
    130: { name: 'rt_sigsuspend', kind: 'input' },
    202: { name: 'futex', kind: 'futex', timeoutArg: 3 },
    232: { name: 'epoll_wait', kind: 'poll-ms', timeoutArg: 3 },
    247: { name: 'waitid', kind: 'input' },
    270: { name: 'pselect6', kind: 'timespec', timeoutArg: 4 },
    271: { name: 'ppoll', kind: 'timespec', timeoutArg: 2 },
    281: { name: 'epoll_pwait', kind: 'poll-ms', timeoutArg: 3 },
    288: { name: 'accept4', kind: 'input' },
    299: { name: 'recvmmsg', kind: 'timespec', timeoutArg: 4 },
    441: { name: 'epoll_pwait2', kind: 'timespec', timeoutArg: 3 },
  },
  arm64: {
    22: { name: 'epoll_pwait', kind: 'poll-ms', timeoutArg: 3 },
    63: { name: 'read', kind: 'input' },
    65: { name: 'readv', kind: 'input' },
    72: { name: 'pselect6', kind: 'timespec', timeoutArg: 4 },
    73: { name: 'ppoll', kind: 'timespec', timeoutArg: 2 },
    95: { name: 'waitid', kind: 'input' },
    98: { name: 'futex', kind: 'futex', timeoutArg: 3 },
    133: { name: 'rt_sigsuspend', kind: 'input' },
    202: { name: 'accept', kind: 'input' },
    207: { name: 'recvfrom', kind: 'input' },
    212: { name: 'recvmsg', kind: 'input' },
    242: { name: 'accept4', kind: 'input' },
    243: { name: 'recvmmsg', kind: 'timespec', timeoutArg: 4 },
    260: { name: 'wait4', kind: 'input' },
    441: { name: 'epoll_pwait2', kind: 'timespec', timeoutArg: 3 },
  },
};

/** One thread's wait: the system call, and how long it may last from when it was first seen (Infinity: until input). */
interface ThreadWait {
  who: string;
  syscall: string;
  timeoutMs: number;
}

/** One look at the programs: undefined fields mean "not still", with the reason. */
interface Look {
  waits?: ThreadWait[];
  notStill?: string;
  /** Everything that must not change between looks (system calls and arguments, switches, I/O counts). */
  fingerprint: string;
  /** A thread spins on a closed connection: the state must last SPIN_QUIET_MS, not QUIET_MS. */
  spinning?: boolean;
  /** CPU time (clock ticks) of the processes with a running thread: a spin must gain some. */
  cpuTicks?: number;
  /** The voluntary context switches of each thread seen running (by thread id). */
  runningSwitches?: Map<string, string>;
  /** Whether a process with a running thread had another running or waiting for a lock (a hand-off, as Python's threads do). */
  handsOffLock?: boolean;
}

export interface Stillness {
  /** When the programs were first seen in the state that lasted (performance.now()). */
  since: number;
  /** What each program waits in, e.g. `python3 (pid 812) in recvfrom`. */
  waits: string[];
}

/**
 * Resolves once the programs (`roots()`, with their descendants) are still — nothing can happen before
 * `deadline` (performance.now() time) — or with null when `signal` aborts or the deadline passes.
 * `givesUp()`: those of the roots whose own timers only make them give up (a tool such as curl with
 * -m): their waits with a timeout count as waits for input, and their ticking as no change.
 */
export async function untilStill(roots: () => number[], deadline: number, signal: AbortSignal, busy: () => string | undefined = () => undefined, givesUp: () => number[] = () => []): Promise<Stillness | null> {
  const table = WAITS[process.arch];
  // Without /proc nothing can be seen (platform-support.ts says so in the run's record).
  if (!table || !platformSupport().proc) return null;
  // The state that has lasted: when it was first seen, and the look before it (its waits began after that).
  let first: { at: number; look: Look; beganAfter: number | undefined; handOffSeen: boolean } | undefined;
  let previousLook: number | undefined;
  while (!signal.aborted && performance.now() < deadline) {
    const at = performance.now();
    const fixture = busy();
    const look = fixture === undefined ? await lookAt(roots(), table, new Set(withDescendants(givesUp()))) : { notStill: fixture, fingerprint: '' };
    if (process.env.SOCKLAB_DEBUG_STILLNESS) process.stderr.write(`stillness ${Math.round(at)} ${look.notStill ?? look.fingerprint}\n`);
    if (look.waits === undefined || first?.look.fingerprint !== look.fingerprint) {
      first = look.waits === undefined ? undefined : { at, look, beganAfter: previousLook, handOffSeen: look.handsOffLock === true };
    } else {
      first.handOffSeen ||= look.handsOffLock === true;
      if (
        at - first.at >= (look.spinning ? SPIN_QUIET_MS : QUIET_MS) &&
        (!look.spinning || spunThrough(first.look, look, first.handOffSeen, at - first.at)) &&
        look.waits.every((wait) => endsAfter(wait, first!.beganAfter, deadline))
      ) {
        return { since: first.at, waits: look.waits.map((wait) => `${wait.who} in ${wait.syscall}`) };
      }
    }
    previousLook = at;
    await sleep(LOOK_EVERY_MS, signal);
  }
  return null;
}

/**
 * Whether the running threads spun all the time from `first` to `look` (`elapsedMs`): they gained CPU
 * time, and hardly blocked meanwhile (their voluntary context switches): a spin does not wait for
 * anything, while a thread that computes and sleeps in turn, seen running at each look by chance,
 * blocks every time it sleeps.
 * Threads handing a lock to each other block at every turn too: where a look since `first` saw one
 * wait for it (`handOffSeen`), their switches are no change.
 */
function spunThrough(first: Look, look: Look, handOffSeen: boolean, elapsedMs: number): boolean {
  if ((look.cpuTicks ?? 0) <= (first.cpuTicks ?? 0)) return false;
  if (handOffSeen) return true;
  let blocked = 0;
  for (const [tid, switches] of look.runningSwitches ?? []) {
    const before = first.runningSwitches?.get(tid);
    if (before !== undefined) blocked += Number(switches) - Number(before);
  }
  // A spin may still block now and then (on a lock of the kernel's); one that sleeps in turn blocks tens of times a second.
  return !(blocked > elapsedMs / SPIN_BLOCKS_EVERY_MS);
}

/** A spinning thread blocks at most once per this long, on average. */
const SPIN_BLOCKS_EVERY_MS = 100;

/**
 * Whether a wait cannot end before the deadline. The kernel shows the timeout a call was given, not
 * what is left of it: a wait that began after `beganAfter` ends after `beganAfter` + its timeout.
 */
function endsAfter(wait: ThreadWait, beganAfter: number | undefined, deadline: number): boolean {
  return wait.timeoutMs === Infinity || (beganAfter !== undefined && beganAfter + wait.timeoutMs >= deadline);
}

async function lookAt(roots: number[], table: (typeof WAITS)[string], givingUp: Set<number>): Promise<Look> {
  if (roots.length === 0) return { notStill: 'no program', fingerprint: '' };
  const pids = withDescendants(roots);
  const parts: string[] = [];
  const waits: ThreadWait[] = [];
  const socketInodes = new Map<string, number[]>();
  /** Processes with a thread that runs: each must hold a closed connection it may be spinning on. */
  const running = new Map<number, string>();
  /** Processes with a thread waiting for a lock with a timeout: only where another of its threads runs. */
  const lockWaits = new Map<number, string>();
  let cpuTicks = 0;
  const runningSwitches = new Map<string, string>();
  let handsOffLock = false;
  for (const pid of pids) {
    // Read synchronously, as process-tree.ts does: a /proc file is made in memory, and a read through
    // the thread pool costs ten times as much (a look reads three files per thread).
    const [comm, io, tasks] = [readText(`/proc/${pid}/comm`), readText(`/proc/${pid}/io`), listEntries(`/proc/${pid}/task`)];
    if (comm === undefined || io === undefined || tasks === undefined) return { notStill: `cannot read /proc/${pid}`, fingerprint: '' };
    parts.push(`${pid}:${ioCounts(io)}`);
    /** This process's threads waiting on a futex without a timeout: where another of its threads runs, part of the hand-off of a lock. */
    const futexWaits: Array<{ part: number; tid: string }> = [];
    const runningTids: string[] = [];
    let processTicks = 0;
    for (const tid of tasks) {
      const [stat, syscall] = ['stat', 'syscall'].map((file) => readText(`/proc/${pid}/task/${tid}/${file}`) ?? '');
      const fields = statFields(stat);
      const state = fields[0] ?? '';
      if (state === 'Z' || state === 'X' || state === '') continue;
      // utime and stime, fields 14 and 15 of /proc/PID/task/TID/stat.
      processTicks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
      const who = `${comm.trim()} (pid ${pid})`;
      // A thread that woke between the two reads: its stat said sleeping, its syscall file says running.
      if (state === 'R' || (state === 'S' && syscall.startsWith('running'))) {
        // Perhaps spinning (checked below): its process must read or write nothing meanwhile.
        running.set(pid, who);
        runningTids.push(tid);
        waits.push({ who, syscall: SPINNING, timeoutMs: Infinity });
        parts.push(`${tid}:spinning`);
        continue;
      }
      const wait = state === 'T' || state === 't' ? { syscall: 'a stop', timeoutMs: Infinity } : state === 'S' ? waitOf(syscall, table) : undefined;
      if (!wait && state === 'S' && lockHandOff(syscall, table)) {
        // Two threads spinning in one Python process hand its interpreter lock to each other.
        lockWaits.set(pid, who);
        parts.push(`${tid}:spinning`);
        continue;
      }
      if (!wait) return { notStill: `${who} is ${state === 'S' ? `in ${syscallName(syscall, table)}` : `in state ${state}`}`, fingerprint: '' };
      if (givingUp.has(pid)) {
        // Its timer can only make it give up: it waits for input, whatever the timeout, and its ticks change nothing.
        waits.push({ who, syscall: wait.syscall, timeoutMs: Infinity });
        parts.push(`${tid}:${wait.syscall}`);
        continue;
      }
      waits.push({ who, ...wait });
      if (wait.syscall === 'futex') futexWaits.push({ part: parts.length, tid });
      parts.push(`${tid}:${syscall.trim()}:${switches(readText(`/proc/${pid}/task/${tid}/status`) ?? '')}`);
    }
    // Threads spinning in one Python process take turns at its interpreter lock: a thread is seen now
    // running, now waiting for the lock (a futex, with or without a timeout). Those turns are no change.
    if (running.has(pid)) {
      for (const { part, tid } of futexWaits) parts[part] = `${tid}:spinning`;
      cpuTicks += processTicks;
      // Two threads or more that run or wait for a lock: they may hand it to each other.
      if (futexWaits.length || lockWaits.has(pid) || runningTids.length > 1) handsOffLock = true;
      for (const tid of runningTids) runningSwitches.set(tid, voluntarySwitches(readText(`/proc/${pid}/task/${tid}/status`) ?? ''));
    }
    for (const inode of socketInodesOf(pid)) socketInodes.set(inode, [...(socketInodes.get(inode) ?? []), pid]);
  }
  const sockets = await socketStates(pids, socketInodes);
  if (sockets.underWay) return { notStill: sockets.underWay, fingerprint: '' };
  parts.push(...sockets.queues);
  for (const [pid, who] of running) if (!sockets.closedByPeer.has(pid)) return { notStill: `${who} is running`, fingerprint: '' };
  for (const [pid, who] of lockWaits) if (!running.has(pid)) return { notStill: `${who} waits for a lock with a timeout`, fingerprint: '' };
  return { waits, fingerprint: parts.join(' '), spinning: running.size > 0, cpuTicks, runningSwitches, handsOffLock };
}

/** The wait a sleeping thread is in, or undefined when its system call is not one that only input ends. */
function waitOf(line: string, table: (typeof WAITS)[string]): Omit<ThreadWait, 'who'> | undefined {
  const fields = line.trim().split(' ');
  const entry = table[Number(fields[0])];
  if (!entry || fields.length < 7) return undefined;
  const argument = entry.timeoutArg === undefined ? undefined : BigInt(fields[1 + entry.timeoutArg]);
  switch (entry.kind) {
    case 'input':
      return { syscall: entry.name, timeoutMs: Infinity };
    case 'poll-ms': {
      // An int: -1 (0xffffffff, or sign-extended) waits for ever.
      const ms = BigInt.asIntN(32, argument!);
      return { syscall: entry.name, timeoutMs: ms < 0n ? Infinity : Number(ms) };
    }
    case 'futex': {
      const operation = futexOperation(fields);
      // FUTEX_WAIT (0) and FUTEX_WAIT_BITSET (9) without a timeout, or a lock (FUTEX_LOCK_PI 6, FUTEX_WAIT_REQUEUE_PI 11).
      if (![0, 6, 9, 11].includes(operation)) return undefined;
      return argument === 0n ? { syscall: entry.name, timeoutMs: Infinity } : undefined;
    }
    case 'timespec':
      // A pointer: NULL waits for ever; otherwise the timeout is in the program's memory, not read here.
      return argument === 0n ? { syscall: entry.name, timeoutMs: Infinity } : undefined;
  }
}

/** A futex wait with a timeout (FUTEX_WAIT or FUTEX_WAIT_BITSET): how threads hand a lock over, Python's interpreter lock included. */
function lockHandOff(line: string, table: (typeof WAITS)[string]): boolean {
  const fields = line.trim().split(' ');
  const operation = fields.length >= 7 ? futexOperation(fields) : -1;
  return table[Number(fields[0])]?.kind === 'futex' && (operation === 0 || operation === 9) && BigInt(fields[4]) !== 0n;
}

/** A futex call's operation (its second argument) without the private and clock flags. */
function futexOperation(fields: string[]): number {
  return Number(BigInt(fields[2]) & 0x7fn);
}

function syscallName(line: string, table: (typeof WAITS)[string]): string {
  const number = line.trim().split(' ')[0];
  return table[Number(number)]?.name ?? `system call ${number}`;
}

function ioCounts(io: string): string {
  return ['rchar', 'wchar', 'syscr', 'syscw'].map((key) => new RegExp(`^${key}: (\\d+)$`, 'm').exec(io)?.[1] ?? '?').join('/');
}

function voluntarySwitches(status: string): string {
  return /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1] ?? '?';
}

function switches(status: string): string {
  return ['voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches'].map((key) => new RegExp(`^${key}:\\s+(\\d+)$`, 'm').exec(status)?.[1] ?? '?').join('/');
}

/**
 * TCP states in which nothing is under way: established, FIN_WAIT2 (waiting for the peer to close),
 * TIME_WAIT, CLOSE, CLOSE_WAIT, listening (its accept queue is part of the fingerprint). A handshake
 * or a FIN waiting for its ACK is under way.
 */
const SETTLED_TCP = new Set(['01', '05', '06', '07', '08', '0A']);
const CLOSE_WAIT = '08';

/**
 * What the kernel still does on its own time for these programs (`underWay`): a TCP connection being
 * made, bytes still to be sent (a datagram waiting for ARP, a segment to retransmit). The sockets with
 * bytes received and not read, or connections waiting to be accepted (`queues`, part of the
 * fingerprint: while they move, something is happening; when they stay put for the quiet time while
 * every thread waits for input, no thread waits for them: a server blocked in recv() on one connection
 * never accepts the browser's next one). And the processes holding a TCP connection that their peer
 * closed (CLOSE_WAIT), where a read returns end-of-file at once.
 */
async function socketStates(pids: number[], inodes: Map<string, number[]>): Promise<{ underWay?: string; queues: string[]; closedByPeer: Set<number> }> {
  const closedByPeer = new Set<number>();
  const queues: string[] = [];
  if (inodes.size === 0) return { queues, closedByPeer };
  const namespaces = new Map<string, number>();
  for (const pid of pids) {
    const namespace = await readlink(`/proc/${pid}/ns/net`).catch(() => undefined);
    if (namespace && !namespaces.has(namespace)) namespaces.set(namespace, pid);
  }
  let underWay: string | undefined;
  for (const pid of namespaces.values()) {
    // Only the tables where the sockets were found before, unless one is new; each read only as far as
    // its last socket: reading a TCP table walks the kernel's whole connection hash, empty or not.
    if ([...inodes.keys()].some((inode) => !tableOfSocket.has(inode))) {
      // Unix sockets (Node's stdio pairs) are in none of the four: the namespace's Unix table names them.
      for (const inode of unixSocketInodes(pid)) if (inodes.has(inode)) remember(inode, 'unix');
    }
    const internet = [...inodes.keys()].filter((inode) => tableOfSocket.get(inode) !== 'unix');
    const placed = internet.every((inode) => tableOfSocket.has(inode));
    for (const table of SOCKET_TABLES) {
      const unseen = new Set(internet.filter((inode) => !placed || tableOfSocket.get(inode) === table || !tableOfSocket.has(inode)));
      if (unseen.size === 0) continue;
      await readTableLines(pid, table, (line) => {
        const fields = line.trim().split(/\s+/);
        if (fields.length < 10 || !unseen.delete(fields[9])) return false;
        remember(fields[9], table);
        const [tx, rx] = fields[4].split(':');
        // A connection the peer closed counts its FIN in the receive queue until the program reads the end.
        const unread = parseInt(rx, 16) - (table.startsWith('tcp') && fields[3] === CLOSE_WAIT ? 1 : 0);
        // Bytes still to be sent are the kernel's to move on its own time (a datagram waiting for ARP, a retransmission).
        if (parseInt(tx, 16) !== 0) underWay = `a ${table} socket has bytes still to send (${fields[1]} → ${fields[2]}, state ${fields[3]}, tx:rx ${fields[4]})`;
        else if (table.startsWith('tcp') && !SETTLED_TCP.has(fields[3])) underWay = `a TCP connection is being made (${fields[1]})`;
        if (unread > 0) queues.push(`${table}:${fields[1]}>${fields[2]}:${fields[3]}:${fields[4]}`);
        if (table.startsWith('tcp') && fields[3] === CLOSE_WAIT) for (const pid of inodes.get(fields[9])!) closedByPeer.add(pid);
        return underWay !== undefined || unseen.size === 0;
      });
      if (underWay) return { underWay, queues, closedByPeer };
    }
  }
  return { queues, closedByPeer };
}

const SOCKET_TABLES = ['tcp', 'tcp6', 'udp', 'udp6'];
/** Which table each socket was found in (a socket never changes table); forgotten past MAX_REMEMBERED. */
const tableOfSocket = new Map<string, string>();
const MAX_REMEMBERED = 10_000;

function remember(inode: string, table: string): void {
  if (tableOfSocket.size >= MAX_REMEMBERED) tableOfSocket.clear();
  tableOfSocket.set(inode, table);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Whether the process `pid` and every descendant of it have ended or are ending (gone, zombies
 * waiting to be reaped, or exiting): the program is dying, and its exit is about to be reported (a
 * sandbox's processes reap one another first). A dying program's sockets are closed while it exits,
 * before it becomes a zombie, so its peers can see the end before its parent does: a process whose
 * exit has begun (PF_EXITING in its flags, field 9 of /proc/PID/stat) counts as ended.
 */
export async function allEnded(pid: number): Promise<boolean> {
  for (const each of withDescendants([pid])) {
    const fields = statFields(readText(`/proc/${each}/stat`) ?? '');
    const state = fields[0] ?? '';
    if (state !== '' && state !== 'Z' && state !== 'X' && (Number(fields[6] ?? 0) & PF_EXITING) === 0) return false;
  }
  return true;
}

/** include/linux/sched.h: set on a task from the start of its exit. */
const PF_EXITING = 0x4;
