// Which limits this machine lets socklab enforce, found once per harness process by trying:
//   - pids and memory cgroups (v1): need write access to the cgroup folders, in practice root;
//   - prlimit (util-linux) for the per-process rlimits: CPU, file size, open files, no core files.
// Where a piece is missing the fallback is what still works, said in one note on every step that
// starts a program (limitNotes), never silently:
//   - no pids cgroup: RLIMIT_NPROC when not root (it counts every process of the user, so the limit is
//     what the user runs already plus `processes`); as root nothing bounds the number of processes
//     (RLIMIT_NPROC does not bind root), only the timeout and the kill at the end;
//   - no memory cgroup: RLIMIT_AS per process at FALLBACK_ADDRESS_SPACE_BYTES (java, node, python start;
//     4 GiB and 1 GiB a core);
//   - no prlimit: no CPU, file size or open-file limits.
import { accessSync, constants, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { controllerBase, createGroup, sweepStaleGroups, type Controller } from './cgroup-v1.js';

export interface LimitSupport {
  /** `<cgroup>/socklab` folders per controller, where programs' groups are made; absent when unusable. */
  cgroups: Partial<Record<Controller, string>>;
  /** Absolute path of prlimit, or null. */
  prlimit: string | null;
  root: boolean;
  /** Why each missing piece is missing. */
  missing: Partial<Record<Controller | 'prlimit', string>>;
}

let probed: LimitSupport | null = null;

export function limitSupport(): LimitSupport {
  probed ??= probe();
  return probed;
}

/** For tests of the fallbacks: replaces what the probe found (null probes again). */
export function overrideLimitSupport(support: LimitSupport | null): void {
  probed = support;
}

function probe(): LimitSupport {
  const support: LimitSupport = { cgroups: {}, prlimit: null, root: process.getuid?.() === 0, missing: {} };
  if (process.platform !== 'linux') {
    const reason = `not available on ${process.platform}`;
    return { ...support, missing: { pids: reason, memory: reason, prlimit: reason } };
  }
  const probes: Record<Controller, Array<[string, string]>> = { pids: [['pids.max', '1']], memory: [['memory.limit_in_bytes', String(64 * 1024 * 1024)]] };
  for (const controller of ['pids', 'memory'] as const) {
    const found = controllerBase(controller);
    if ('reason' in found) {
      support.missing[controller] = found.reason;
      continue;
    }
    try {
      createGroup(found.base, `${process.pid}-probe`, probes[controller]);
      rmdirQuietly(path.join(found.base, `${process.pid}-probe`));
      support.cgroups[controller] = found.base;
      void sweepStaleGroups(found.base);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      support.missing[controller] = `cannot write ${found.base} (${code}${support.root ? '' : ', not root'})`;
    }
  }
  support.prlimit = findExecutable('prlimit', `${process.env.PATH ?? ''}:/usr/bin:/bin`);
  if (!support.prlimit) support.missing.prlimit = 'prlimit not found (apt-get install util-linux)';
  return support;
}

function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Created just now and never joined, so it can always go; if not, the stale sweep takes it.
  }
}

/** Where `file` would be executed from: itself when it has a slash (relative to `cwd`), else the first match on PATH. */
export function findExecutable(file: string, searchPath: string, cwd = process.cwd()): string | null {
  const candidates = file.includes('/') ? [path.resolve(cwd, file)] : searchPath.split(':').filter(Boolean).map((dir) => path.resolve(cwd, dir, file));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** Tasks (threads included) a user runs now (default: the current user): RLIMIT_NPROC counts them all. */
export function userTaskCount(uid = process.getuid?.()): number {
  return tasksPerUser().get(uid ?? -1) ?? 0;
}

/** Tasks (threads included) of every user that runs a process now, by real uid. */
export function tasksPerUser(): Map<number, number> {
  const tasks = new Map<number, number>();
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      tasks.set(uid, (tasks.get(uid) ?? 0) + Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1));
    } catch {
      // Gone meanwhile.
    }
  }
  return tasks;
}

export function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
