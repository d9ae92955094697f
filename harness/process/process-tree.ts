// A program's processes and the sockets they hold, read from /proc: its descendants (each thread's
// children list, or every process's parent where the kernel keeps no such list), the members of its
// process group, and the socket inodes behind their file descriptors. Readiness (proc-sockets.ts) and
// stillness (stillness.ts) both look at a program this way, every millisecond or so: the reads are
// synchronous, since each is a few microseconds of the kernel's while a round trip through libuv's
// thread pool costs more than the read (a program's whole tree: ~0.1 ms instead of 1–4 ms).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The processes and every descendant of theirs. */
export function withDescendants(roots: number[]): number[] {
  if (roots.length === 0) return [];
  const parents = readText(`/proc/${roots[0]}/task/${roots[0]}/children`) === undefined ? parentsOfAll() : undefined;
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
    for (const tid of readEntries(`/proc/${pid}/task`)) {
      for (const child of (readText(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ').filter(Boolean)) queue.push(Number(child));
    }
  }
  return [...seen];
}

/** Children of every process, from each one's parent in /proc/PID/stat. */
function parentsOfAll(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readEntries('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = Number(statFields(readText(`/proc/${entry}/stat`) ?? '')[1]);
    if (parent) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  return children;
}

/** `pid` and every process in its process group (a wrapper such as `ip netns exec` or `sh -c` execs or forks), even those whose parent has gone. */
export function groupMembers(pid: number): number[] {
  const members = [pid];
  for (const entry of readEntries('/proc')) {
    const candidate = Number(entry);
    if (!Number.isInteger(candidate) || candidate === pid) continue;
    if (Number(statFields(readText(`/proc/${candidate}/stat`) ?? '')[2]) === pid) members.push(candidate);
  }
  return members;
}

/** The fields of /proc/PID/stat after the command name (which may hold spaces and parentheses): state, parent, group, … */
export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Inodes of the sockets one process holds, read from its file descriptors. */
export function socketInodesOf(pid: number): string[] {
  const inodes: string[] = [];
  for (const fd of readEntries(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.push(inode);
  }
  return inodes;
}

/** Inodes of every socket held by any of `pids`. */
export function socketInodesOfAll(pids: number[]): Set<string> {
  return new Set(pids.flatMap(socketInodesOf));
}

/** A /proc file's text, or undefined once the process has gone (or the file does not exist). */
export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readEntries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
