// Which limits this machine lets socklab enforce, found once per harness process by trying:
//   - cgroups: cgroup v2 first (cgroup-v2.ts): every program joins a cgroup of its own there, which
//     holds the pids and memory limits where cgroup v2 has those controllers; a controller it does not
//     have here is taken from cgroup v1 (cgroup-v1.ts) where a v1 hierarchy has it. Both need write
//     access to the cgroup folders: root, or a subtree systemd delegated to socklab's user;
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
import { cgroupLayout } from './cgroup-layout.js';
import { controllerBase, type Controller } from './cgroup-v1.js';
import { createGroup, sweepStaleGroups } from './cgroup-groups.js';
import { unifiedBase } from './cgroup-v2.js';

export interface LimitSupport {
  /** cgroup v1: `<cgroup>/socklab` folders per controller that cgroup v2 does not hold here; absent when unusable. */
  cgroups: Partial<Record<Controller, string>>;
  /**
   * cgroup v2: the `socklab` folder where each program gets a cgroup of its own, and the controllers
   * those cgroups have (maybe none: then membership and cgroup.kill only). Absent without cgroup v2.
   */
  unified?: { base: string; controllers: Controller[]; kill: boolean; awayFrom?: string };
  /** Absolute path of prlimit, or null. */
  prlimit: string | null;
  root: boolean;
  /** Why each missing piece is missing. */
  missing: Partial<Record<Controller | 'prlimit', string>>;
  /** Why cgroup v2 does not hold a controller (or any group) that cgroup v1 then holds: for describeLimits, not for steps. */
  notInUnified?: Partial<Record<Controller | 'groups', string>>;
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

const CONTROLLERS: Controller[] = ['pids', 'memory'];

function probe(): LimitSupport {
  const support: LimitSupport = { cgroups: {}, prlimit: null, root: process.getuid?.() === 0, missing: {} };
  if (process.platform !== 'linux') {
    const reason = `not available on ${process.platform}`;
    return { ...support, missing: { pids: reason, memory: reason, prlimit: reason } };
  }
  const unified = unifiedBase(CONTROLLERS);
  const notInUnified: NonNullable<LimitSupport['notInUnified']> = {};
  if ('base' in unified) {
    support.unified = { base: unified.base, controllers: unified.controllers, kill: unified.kill, ...(unified.awayFrom ? { awayFrom: unified.awayFrom } : {}) };
    void sweepStaleGroups(unified.base);
  } else {
    notInUnified.groups = unified.reason;
  }
  const layout = cgroupLayout();
  const hasUnified = !('reason' in layout) && layout.unified !== null;
  const probes: Record<Controller, Array<[string, string]>> = { pids: [['pids.max', '1']], memory: [['memory.limit_in_bytes', String(64 * 1024 * 1024)]] };
  for (const controller of CONTROLLERS) {
    if (support.unified?.controllers.includes(controller)) continue;
    const v2Reason = 'base' in unified ? unified.missing[controller] : unified.reason;
    if (v2Reason && hasUnified) notInUnified[controller] = v2Reason;
    const found = controllerBase(controller);
    if ('reason' in found) {
      // On a machine with cgroup v2 only, why v2 cannot is what matters, not that there is no v1.
      support.missing[controller] = hasUnified && v2Reason ? `cgroup v2: ${v2Reason}` : found.reason;
      continue;
    }
    try {
      createGroup(found.base, `${process.pid}-probe`, probes[controller]);
      rmdirQuietly(path.join(found.base, `${process.pid}-probe`));
      support.cgroups[controller] = found.base;
      void sweepStaleGroups(found.base);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      const v1Reason = `cannot write ${found.base} (${code}${support.root ? '' : ', not root'})`;
      support.missing[controller] = hasUnified && v2Reason ? `cgroup v2: ${v2Reason}; cgroup v1: ${v1Reason}` : v1Reason;
    }
  }
  if (Object.keys(notInUnified).length > 0) support.notInUnified = notInUnified;
  support.prlimit = findExecutable('prlimit', `${process.env.PATH ?? ''}:/usr/bin:/bin`);
  if (!support.prlimit) support.missing.prlimit = 'prlimit not found (apt-get install util-linux)';
  return support;
}

/**
 * How this machine enforces the limits, in one line for the run's record (environment.limits):
 * `cgroup v2 (/sys/fs/cgroup/unified/socklab): a cgroup per program, killed with cgroup.kill; pids:
 * cgroup v1 (/sys/fs/cgroup/pids/socklab; not in cgroup v2: pids is bound to …); …; CPU, file size,
 * open files: prlimit`.
 */
export function describeLimits(support: LimitSupport = limitSupport()): string {
  const parts: string[] = [];
  const { unified, notInUnified = {} } = support;
  if (unified) {
    const held = unified.controllers.length ? `, with ${unified.controllers.join(' and ')} limits` : '';
    const kill = unified.kill ? 'killed with cgroup.kill' : 'killed by listing cgroup.procs';
    const away = unified.awayFrom ? ` (not under socklab's own cgroup ${unified.awayFrom}, which holds processes)` : '';
    parts.push(`cgroup v2 (${unified.base}${away}): a cgroup per program${held}, ${kill}`);
  } else if (notInUnified.groups) {
    parts.push(`no cgroup v2 (${notInUnified.groups})`);
  }
  for (const controller of CONTROLLERS) {
    if (unified?.controllers.includes(controller)) continue;
    const why = notInUnified[controller] ? `; not in cgroup v2: ${notInUnified[controller]}` : '';
    if (support.cgroups[controller]) parts.push(`${controller}: cgroup v1 (${support.cgroups[controller]}${why})`);
    else parts.push(`${controller}: no cgroup (${support.missing[controller] ?? 'unknown'})`);
  }
  parts.push(support.prlimit ? `CPU, file size, open files: prlimit` : `no prlimit (${support.missing.prlimit ?? 'unknown'})`);
  return parts.join('; ');
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
      // Most candidates do not exist: a stat that returns nothing costs a fraction of a thrown error.
      if (!statSync(candidate, { throwIfNoEntry: false })?.isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not executable here, or a PATH entry that is not a folder.
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
