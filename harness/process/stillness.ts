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
import { readdir, readFile, readlink } from 'node:fs/promises';
import { platformSupport } from './platform-support.js';
import { socketInodesOf, statFields, withDescendants } from './process-tree.js';

/** How long everything must stay unchanged before it counts as still. */
export const QUIET_MS = 250;
/**
 * How long a thread must spin on a closed connection, without a byte moving and gaining CPU time (so
 * really running, not merely waiting for a CPU on a loaded machine), before it counts as still.
 */
export const SPIN_QUIET_MS = 300;
const SPINNING = 'a loop reading a connection its peer closed';
const LOOK_EVERY_MS = 50;

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
  let first: { at: number; look: Look; beganAfter: number | undefined } | undefined;
  let previousLook: number | undefined;
  while (!signal.aborted && performance.now() < deadline) {
    const at = performance.now();
    const fixture = busy();
    const look = fixture === undefined ? await lookAt(roots(), table, new Set(withDescendants(givesUp()))) : { notStill: fixture, fingerprint: '' };
    if (process.env.SOCKLAB_DEBUG_STILLNESS) process.stderr.write(`stillness ${Math.round(at)} ${look.notStill ?? look.fingerprint}\n`);
    if (look.waits === undefined || first?.look.fingerprint !== look.fingerprint) {
      first = look.waits === undefined ? undefined : { at, look, beganAfter: previousLook };
    } else if (
      at - first.at >= (look.spinning ? SPIN_QUIET_MS : QUIET_MS) &&
      (!look.spinning || (look.cpuTicks ?? 0) > (first.look.cpuTicks ?? 0)) &&
      look.waits.every((wait) => endsAfter(wait, first!.beganAfter, deadline))
    ) {
      return { since: first.at, waits: look.waits.map((wait) => `${wait.who} in ${wait.syscall}`) };
    }
    previousLook = at;
    await sleep(LOOK_EVERY_MS, signal);
  }
  return null;
}

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
  for (const pid of pids) {
    const [comm, io, tasks] = await Promise.all([
      readFile(`/proc/${pid}/comm`, 'utf8').catch(() => undefined),
      readFile(`/proc/${pid}/io`, 'utf8').catch(() => undefined),
      readdir(`/proc/${pid}/task`).catch(() => undefined),
    ]);
    if (comm === undefined || io === undefined || tasks === undefined) return { notStill: `cannot read /proc/${pid}`, fingerprint: '' };
    parts.push(`${pid}:${ioCounts(io)}`);
    /** This process's threads waiting on a futex without a timeout: where another of its threads runs, part of the hand-off of a lock. */
    const futexWaits: Array<{ part: number; tid: string }> = [];
    let processTicks = 0;
    for (const tid of tasks) {
      const [stat, syscall, status] = await Promise.all([
        readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => ''),
        readFile(`/proc/${pid}/task/${tid}/syscall`, 'utf8').catch(() => ''),
        readFile(`/proc/${pid}/task/${tid}/status`, 'utf8').catch(() => ''),
      ]);
      const fields = statFields(stat);
      const state = fields[0] ?? '';
      if (state === 'Z' || state === 'X' || state === '') continue;
      // utime and stime, fields 14 and 15 of /proc/PID/task/TID/stat.
      processTicks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
      const who = `${comm.trim()} (pid ${pid})`;
      if (state === 'R') {
        // Perhaps spinning (checked below): its process must read or write nothing meanwhile.
        running.set(pid, who);
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
      parts.push(`${tid}:${syscall.trim()}:${switches(status)}`);
    }
    // Threads spinning in one Python process take turns at its interpreter lock: a thread is seen now
    // running, now waiting for the lock (a futex, with or without a timeout). Those turns are no change.
    if (running.has(pid)) {
      for (const { part, tid } of futexWaits) parts[part] = `${tid}:spinning`;
      cpuTicks += processTicks;
    }
    for (const inode of socketInodesOf(pid)) socketInodes.set(inode, [...(socketInodes.get(inode) ?? []), pid]);
  }
  const sockets = await socketStates(pids, socketInodes);
  if (sockets.underWay) return { notStill: sockets.underWay, fingerprint: '' };
  parts.push(...sockets.queues);
  for (const [pid, who] of running) if (!sockets.closedByPeer.has(pid)) return { notStill: `${who} is running`, fingerprint: '' };
  for (const [pid, who] of lockWaits) if (!running.has(pid)) return { notStill: `${who} waits for a lock with a timeout`, fingerprint: '' };
  return { waits, fingerprint: parts.join(' '), spinning: running.size > 0, cpuTicks };
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
  for (const pid of namespaces.values()) {
    for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
      const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
      for (const line of text.split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        if (fields.length < 10 || !inodes.has(fields[9])) continue;
        const [tx, rx] = fields[4].split(':');
        // A connection the peer closed counts its FIN in the receive queue until the program reads the end.
        const unread = parseInt(rx, 16) - (table.startsWith('tcp') && fields[3] === CLOSE_WAIT ? 1 : 0);
        // Bytes still to be sent are the kernel's to move on its own time (a datagram waiting for ARP, a retransmission).
        if (parseInt(tx, 16) !== 0) return { underWay: `a ${table} socket has bytes still to send (${fields[1]} → ${fields[2]}, state ${fields[3]}, tx:rx ${fields[4]})`, queues, closedByPeer };
        if (unread > 0) queues.push(`${table}:${fields[1]}>${fields[2]}:${fields[3]}:${fields[4]}`);
        if (table.startsWith('tcp') && !SETTLED_TCP.has(fields[3])) return { underWay: `a TCP connection is being made (${fields[1]})`, queues, closedByPeer };
        if (table.startsWith('tcp') && fields[3] === CLOSE_WAIT) for (const pid of inodes.get(fields[9])!) closedByPeer.add(pid);
      }
    }
  }
  return { queues, closedByPeer };
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
    const fields = statFields(await readFile(`/proc/${each}/stat`, 'utf8').catch(() => ''));
    const state = fields[0] ?? '';
    if (state !== '' && state !== 'Z' && state !== 'X' && (Number(fields[6] ?? 0) & PF_EXITING) === 0) return false;
  }
  return true;
}

/** include/linux/sched.h: set on a task from the start of its exit. */
const PF_EXITING = 0x4;
