// The cgroup folders socklab makes for programs, in either version of cgroups: made with their limit
// files written, killed, removed, and swept when a harness died and left them. Folders are named
// `<harness pid>-<n>` under a `socklab` folder (cgroup-v1.ts, cgroup-v2.ts say where): a run's
// folders are found by its pid, and those of a harness that died are swept by the next one.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A limit file and its value; `optional`: a file the kernel may not have (swap accounting off), skipped then. */
export type GroupSetting = [file: string, value: string, optional?: boolean];

/** Creates `<base>/<name>` and writes the limit files into it (in order: v1's memsw must follow the RAM limit). */
export function createGroup(base: string, name: string, settings: GroupSetting[]): string {
  const dir = path.join(base, name);
  mkdirSync(base, { recursive: true });
  mkdirSync(dir);
  try {
    for (const [file, value, optional] of settings) {
      try {
        writeFileSync(path.join(dir, file), value);
      } catch (error) {
        // memory.memsw.* (v1) and memory.swap.max (v2) exist only with swap accounting: without it there is no swap to limit.
        if (!optional) throw error;
      }
    }
  } catch (error) {
    rmdirSync(dir);
    throw error;
  }
  return dir;
}

export function members(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Kills every member once. Where the kernel has cgroup.kill (cgroup v2, Linux 5.14 and later) that is
 * one write, which also reaches what a fork bomb forks meanwhile; elsewhere SIGKILL to each pid that
 * cgroup.procs lists. Returns how many members were still there.
 */
export function killRound(dirs: string[]): number {
  let seen = 0;
  const listed: number[] = [];
  for (const dir of dirs) {
    const pids = members(dir);
    seen += pids.length;
    if (pids.length > 0 && !killAtOnce(dir)) listed.push(...pids);
  }
  for (const pid of new Set(listed)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  return seen;
}

/** Writes cgroup.kill where it exists; false when it does not (cgroup v1, an older kernel) or cannot be written. */
function killAtOnce(dir: string): boolean {
  const file = path.join(dir, 'cgroup.kill');
  if (!existsSync(file)) return false;
  try {
    writeFileSync(file, '1');
    return true;
  } catch {
    return false;
  }
}

/** Whether the kernel can kill a group's members in one write (cgroup.kill) in `dir`. */
export function hasKillFile(dir: string): boolean {
  return existsSync(path.join(dir, 'cgroup.kill'));
}

/**
 * Kills everything in the groups, round after round until they are empty (without cgroup.kill the pids
 * limit bounds how many a fork bomb can make between two rounds), then removes the folders. Returns the
 * folders that could not be removed (a process stuck in the kernel).
 */
export async function destroyGroups(dirs: string[], timeoutMs = 3000): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  while (killRound(dirs) > 0 && performance.now() < deadline) await sleep(10);
  const left: string[] = [];
  for (const dir of dirs) {
    while (!tryRemove(dir)) {
      if (performance.now() >= deadline) {
        left.push(dir);
        break;
      }
      killRound([dir]);
      await sleep(10);
    }
  }
  return left;
}

/** The same, synchronously, for the harness's exit handler (no event loop left to wait on). */
export function destroyGroupsSync(dirs: string[], timeoutMs = 500): void {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    killRound(dirs);
    if (dirs.every((dir) => tryRemove(dir))) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}

export function tryRemove(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** A counter from a flat-keyed cgroup file such as pids.events (`max 3`), memory.events or memory.oom_control (`oom_kill 1`). */
export function readCounter(dir: string, file: string, key: string): number {
  try {
    const line = readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith(`${key} `));
    return line ? Number(line.split(' ')[1]) : 0;
  } catch {
    return 0;
  }
}

/** Folders under `base` named after harness `pid` (all of them when pid is undefined). */
export function groupsOf(base: string, pid?: number): string[] {
  let entries: string[];
  try {
    entries = readdirSync(base, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
  return entries.filter((name) => (pid === undefined ? /^\d+-(\d+|probe)$/.test(name) : name.startsWith(`${pid}-`))).map((name) => path.join(base, name));
}

/** Removes the folders (and kills the members) that harnesses no longer alive left behind. */
export async function sweepStaleGroups(base: string): Promise<void> {
  const stale = groupsOf(base).filter((dir) => !isAlive(Number(path.basename(dir).split('-')[0])));
  if (stale.length > 0) await destroyGroups(stale);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
