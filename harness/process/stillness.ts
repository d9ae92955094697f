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
//   - no socket of theirs has bytes queued to read or to send, nor a connection being made or waiting
//     to be accepted;
//   - and over QUIET_MS nothing moved: the same system calls with the same arguments, no context
//     switch, no byte read or written (/proc/PID/io).
// Anything else (a thread running, a sleep(), a connect() in progress, a system call not listed, a file
// that cannot be read, an architecture without a table) means "not still": the step then runs to its
// timeout as before. In-process fixtures that act on their own time (a delayed origin, a relay) are
// the caller's to rule out.
import { readdir, readFile, readlink } from 'node:fs/promises';

/** How long everything must stay unchanged before it counts as still. */
export const QUIET_MS = 250;
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
 */
export async function untilStill(roots: () => number[], deadline: number, signal: AbortSignal): Promise<Stillness | null> {
  const table = WAITS[process.arch];
  if (!table) return null;
  // The state that has lasted: when it was first seen, and the look before it (its waits began after that).
  let first: { at: number; look: Look; beganAfter: number | undefined } | undefined;
  let previousLook: number | undefined;
  while (!signal.aborted && performance.now() < deadline) {
    const at = performance.now();
    const look = await lookAt(roots(), table);
    if (process.env.SOCKLAB_DEBUG_STILLNESS) process.stderr.write(`stillness ${Math.round(at)} ${look.notStill ?? look.fingerprint}\n`);
    if (look.waits === undefined || first?.look.fingerprint !== look.fingerprint) {
      first = look.waits === undefined ? undefined : { at, look, beganAfter: previousLook };
    } else if (at - first.at >= QUIET_MS && look.waits.every((wait) => endsAfter(wait, first!.beganAfter, deadline))) {
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

async function lookAt(roots: number[], table: (typeof WAITS)[string]): Promise<Look> {
  if (roots.length === 0) return { notStill: 'no program', fingerprint: '' };
  const pids = await withDescendants(roots);
  const parts: string[] = [];
  const waits: ThreadWait[] = [];
  const socketInodes = new Set<string>();
  for (const pid of pids) {
    const [comm, io, tasks] = await Promise.all([
      readFile(`/proc/${pid}/comm`, 'utf8').catch(() => undefined),
      readFile(`/proc/${pid}/io`, 'utf8').catch(() => undefined),
      readdir(`/proc/${pid}/task`).catch(() => undefined),
    ]);
    if (comm === undefined || io === undefined || tasks === undefined) return { notStill: `cannot read /proc/${pid}`, fingerprint: '' };
    parts.push(`${pid}:${ioCounts(io)}`);
    for (const tid of tasks) {
      const [stat, syscall, status] = await Promise.all([
        readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => ''),
        readFile(`/proc/${pid}/task/${tid}/syscall`, 'utf8').catch(() => ''),
        readFile(`/proc/${pid}/task/${tid}/status`, 'utf8').catch(() => ''),
      ]);
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X' || state === '') continue;
      const who = `${comm.trim()} (pid ${pid})`;
      const wait = state === 'T' || state === 't' ? { syscall: 'a stop', timeoutMs: Infinity } : state === 'S' ? waitOf(syscall, table) : undefined;
      if (!wait) return { notStill: `${who} is ${state === 'R' ? 'running' : `in state ${state}`}`, fingerprint: '' };
      waits.push({ who, ...wait });
      parts.push(`${tid}:${syscall.trim()}:${switches(status)}`);
    }
    for (const inode of await socketInodesOf(pid)) socketInodes.add(inode);
  }
  const queued = await queuedSocket(pids, socketInodes);
  if (queued) return { notStill: queued, fingerprint: '' };
  return { waits, fingerprint: parts.join(' ') };
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
      const operation = Number(BigInt(fields[2]) & 0x7fn);
      // FUTEX_WAIT (0) and FUTEX_WAIT_BITSET (9) without a timeout, or a lock (FUTEX_LOCK_PI 6, FUTEX_WAIT_REQUEUE_PI 11).
      if (![0, 6, 9, 11].includes(operation)) return undefined;
      return argument === 0n ? { syscall: entry.name, timeoutMs: Infinity } : undefined;
    }
    case 'timespec':
      // A pointer: NULL waits for ever; otherwise the timeout is in the program's memory, not read here.
      return argument === 0n ? { syscall: entry.name, timeoutMs: Infinity } : undefined;
  }
}

function ioCounts(io: string): string {
  return ['rchar', 'wchar', 'syscr', 'syscw'].map((key) => new RegExp(`^${key}: (\\d+)$`, 'm').exec(io)?.[1] ?? '?').join('/');
}

function switches(status: string): string {
  return ['voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches'].map((key) => new RegExp(`^${key}:\\s+(\\d+)$`, 'm').exec(status)?.[1] ?? '?').join('/');
}

/** The processes and every descendant of theirs (each thread's children list, or every process's parent where the kernel keeps no such list). */
async function withDescendants(roots: number[]): Promise<number[]> {
  const parents = (await readFile(`/proc/${roots[0]}/task/${roots[0]}/children`, 'utf8').then(
    () => undefined,
    () => parentsOfAll(),
  )) as Map<number, number[]> | undefined;
  const seen = new Set<number>();
  const queue = [...roots];
  while (queue.length) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    if (parents) {
      queue.push(...(parents.get(pid) ?? []));
      continue;
    }
    for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
      const children = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
      for (const child of children.split(' ').filter(Boolean)) queue.push(Number(child));
    }
  }
  return [...seen];
}

/** Children of every process, from each one's parent in /proc/PID/stat. */
async function parentsOfAll(): Promise<Map<number, number[]>> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  return children;
}

async function socketInodesOf(pid: number): Promise<string[]> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return targets.flatMap((target) => /^socket:\[(\d+)\]$/.exec(target)?.[1] ?? []);
}

/**
 * TCP states in which nothing is under way: established, FIN_WAIT2 (waiting for the peer to close),
 * TIME_WAIT, CLOSE, CLOSE_WAIT, listening (its accept queue is checked). A handshake or a FIN waiting
 * for its ACK is under way.
 */
const SETTLED_TCP = new Set(['01', '05', '06', '07', '08', '0A']);

/** A socket of these programs with bytes queued either way, a connection still being made, or one waiting to be accepted. */
async function queuedSocket(pids: number[], inodes: Set<string>): Promise<string | undefined> {
  if (inodes.size === 0) return undefined;
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
        if (parseInt(tx, 16) !== 0 || parseInt(rx, 16) !== 0) return `a ${table} socket has bytes queued (${fields[1]})`;
        if (table.startsWith('tcp') && !SETTLED_TCP.has(fields[3])) return `a TCP connection is being made (${fields[1]})`;
      }
    }
  }
  return undefined;
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
