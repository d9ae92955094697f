// Control groups (v1) for untrusted programs: one folder per program under socklab's own folder in
// each controller (pids, memory), nested under the harness's own cgroup so that any limit around the
// harness (a container, a systemd slice) still holds. Folders are named `<harness pid>-<n>`: a run's
// folders are found by its pid, and those of a harness that died are swept by the next one.
// cgroup v2 is not handled yet (the machines we run on mount v1); limit-support.ts says so in a note.
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Controller = 'pids' | 'memory';

/** `<mount><own cgroup>/socklab` for a v1 controller, or why there is none. */
export function controllerBase(controller: Controller): { base: string } | { reason: string } {
  let mountinfo: string;
  let ownGroups: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    ownGroups = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return { reason: 'no /proc' };
  }
  // mountinfo: id parent major:minor root mountpoint options … - fstype source superoptions
  let mount: { root: string; point: string } | null = null;
  let unified = false;
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const fields = left.split(' ');
    const [fstype, , superOptions = ''] = right.split(' ');
    if (fstype === 'cgroup2' && fields[4] === '/sys/fs/cgroup') unified = true;
    if (fstype === 'cgroup' && superOptions.split(',').includes(controller)) mount = { root: unescapeMount(fields[3]), point: unescapeMount(fields[4]) };
  }
  if (!mount) return { reason: unified ? 'cgroup v2 only (not supported yet)' : `no ${controller} cgroup mounted` };
  const own = ownGroups
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields.length >= 3 && fields[1].split(',').includes(controller));
  if (!own) return { reason: `not in a ${controller} cgroup` };
  const ownPath = own.slice(2).join(':');
  const relative = mount.root === '/' ? ownPath : ownPath.startsWith(mount.root) ? ownPath.slice(mount.root.length) : null;
  if (relative === null) return { reason: `own ${controller} cgroup ${ownPath} is outside the mounted part ${mount.root}` };
  return { base: path.join(mount.point, relative, 'socklab') };
}

/** Creates `<base>/<name>` and writes the limit files into it (in order: memsw must follow the RAM limit). */
export function createGroup(base: string, name: string, settings: Array<[file: string, value: string, optional?: boolean]>): string {
  const dir = path.join(base, name);
  mkdirSync(base, { recursive: true });
  mkdirSync(dir);
  try {
    for (const [file, value, optional] of settings) {
      try {
        writeFileSync(path.join(dir, file), value);
      } catch (error) {
        // memory.memsw.* exists only with swap accounting: without it there is no swap to limit.
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

/** SIGKILL to every member, once. Returns how many were still there. */
export function killRound(dirs: string[]): number {
  let seen = 0;
  for (const pid of new Set(dirs.flatMap(members))) {
    seen += 1;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  return seen;
}

/**
 * Kills everything in the groups, round after round until they are empty (v1 has no cgroup.kill; the
 * pids limit bounds how many a fork bomb can make between two rounds), then removes the folders.
 * Returns the folders that could not be removed (a process stuck in the kernel).
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

function tryRemove(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** A counter from a flat-keyed cgroup file such as pids.events (`max 3`) or memory.oom_control (`oom_kill 1`). */
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

/** mountinfo escapes spaces and a few other characters as \ooo. */
function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
