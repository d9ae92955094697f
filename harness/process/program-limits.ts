// The limits of one program: its own cgroups (one of cgroup v2, with the pids and memory limits where
// v2 has those controllers; one per v1 controller that v2 does not have here), joined before the
// program runs its first instruction, rlimits set by prlimit, the command line that puts it there, and
// what it hit.
//
// The program is spawned through this wrapper, which execs all the way down, so the pid the harness
// holds is the program's own, its exit status is the program's, and nothing stays in between:
//
//   /bin/sh -c 'while [ "$1" != -- ]; do echo $$ > "$1" || …; shift; done; shift; exec "$@"' \
//     socklab-limits <v2 group>/cgroup.procs <v1 pids>/cgroup.procs <v1 memory>/cgroup.procs -- \
//     /usr/bin/prlimit --cpu=60:61 --fsize=67108864 --nofile=1024 --core=0 -- PROGRAM ARGS…
//
// Joining a cgroup is the slow part of a start: the kernel waits for an RCU grace period (10–20 ms
// here) before it moves a process, unless another move happened just before. A program can therefore
// be started ahead of its step and held (`hold`): the wrapper joins its cgroups, then waits for one
// line on descriptor 3 before it execs (HOLD_SCRIPT); socklab writes it when the step comes. Until
// then the program has not run a single instruction of its own. If socklab goes away, the wrapper
// reads end-of-file and exits without running it.
import path from 'node:path';
import type { ExitInfo } from './exit-info.js';
import type { Controller } from './cgroup-v1.js';
import { createGroup, destroyGroups, killRound, readCounter, type GroupSetting } from './cgroup-groups.js';
import { unifiedSettings } from './cgroup-v2.js';
import { limitSupport, userTaskCount, type LimitSupport } from './limit-support.js';
import { liveCgroups } from './live-groups.js';
import { FALLBACK_ADDRESS_SPACE_BYTES, formatBytes, withDefaults, type ResourceLimits } from './resource-limits.js';

/** Joins every cgroup.procs file given before `--`, then execs the rest. Exit 125 if a join fails. */
export const JOIN_SCRIPT = 'while [ "$1" != -- ]; do echo $$ > "$1" || { echo "socklab: cannot join the cgroup $1" >&2; exit 125; }; shift; done; shift; exec "$@"';

/** JOIN_SCRIPT that waits for a line on descriptor 3 (and closes it) before it execs. */
export const HOLD_SCRIPT = JOIN_SCRIPT.replace('exec "$@"', 'read -r go <&3 || exit 125; exec 3<&-; exec "$@"');

let nextGroup = 0;

/**
 * Whether starting a program ahead and holding it saves time and changes nothing, decided before any
 * of it is made: it will join a cgroup (the slow part), and no limit depends on what else runs when it
 * starts (RLIMIT_NPROC, the fallback for a missing pids cgroup, counts the user's tasks at that
 * moment). `user`: the unprivileged user it would run as, if any.
 */
export function holdingSavesTime(user: number | undefined, support: LimitSupport = limitSupport()): boolean {
  const pids = Boolean(support.unified?.controllers.includes('pids') || support.cgroups.pids);
  const groups = Boolean(support.unified || support.cgroups.pids || support.cgroups.memory);
  const nproc = Boolean(support.prlimit) && !pids && (user !== undefined || !support.root);
  return groups && !nproc;
}

export class ProgramLimits {
  readonly limits: ResourceLimits;
  /** One line when some limit falls back to a weaker one (or to none); empty when all hold. */
  readonly fallbackNotes: string[] = [];
  /** cgroup v1 groups, per controller that cgroup v2 does not hold. */
  private readonly groups: Partial<Record<Controller, string>> = {};
  /** The program's cgroup v2, and the controllers it has. */
  private unified: { dir: string; controllers: Controller[] } | null = null;
  private readonly support: LimitSupport;

  /**
   * `user`: the unprivileged user the program runs as (sandbox-user.ts), if any. Its experiment's
   * programs alone run as it, so without a pids cgroup RLIMIT_NPROC bounds them even where socklab is root.
   */
  constructor(limits: Partial<ResourceLimits> | undefined, support: LimitSupport = limitSupport(), private readonly user?: number) {
    this.limits = withDefaults(limits);
    this.support = support;
    const failures: Partial<Record<Controller, string>> = {};
    if (support.unified) {
      const { base, controllers } = support.unified;
      try {
        this.unified = { dir: makeGroup(base, controllers.flatMap((controller) => unifiedSettings(controller, this.limits))), controllers };
        liveCgroups.add(this.unified.dir);
      } catch (error) {
        for (const controller of controllers) failures[controller] = `cannot create a group in ${base}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
      }
    }
    for (const controller of ['pids', 'memory'] as const) {
      const base = support.cgroups[controller];
      if (!base) continue;
      try {
        this.groups[controller] = makeGroup(base, settings(controller, this.limits));
        liveCgroups.add(this.groups[controller]!);
      } catch (error) {
        failures[controller] = `cannot create a group in ${base}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
      }
    }
    const fallbacks = this.describeFallbacks({ ...support.missing, ...failures });
    if (fallbacks.length > 0) this.fallbackNotes.push(`resource limits fall back: ${fallbacks.join('; ')}`);
  }

  /** The command to spawn in place of `file args`: the cgroup join and prlimit in front, exec'd away; with `hold`, the wait for descriptor 3 between them. */
  wrap(file: string, args: string[], options: { hold?: boolean } = {}): [string, ...string[]] {
    const rlimits = this.prlimitWords();
    const joins = this.dirs().map((dir) => path.join(dir, 'cgroup.procs'));
    if (joins.length === 0 && !options.hold) return [...rlimits, file, ...args] as [string, ...string[]];
    return ['/bin/sh', '-c', options.hold ? HOLD_SCRIPT : JOIN_SCRIPT, 'socklab-limits', ...joins, '--', ...rlimits, file, ...args];
  }


  /** SIGKILL to every process in the program's cgroups (cgroup.kill where there is one), round after round, until none is left. */
  async killMembers(timeoutMs = 2000): Promise<void> {
    const dirs = this.dirs();
    const deadline = performance.now() + timeoutMs;
    while (killRound(dirs) > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Kills what is left and removes the cgroups. Returns a note when a group could not be removed. */
  async destroy(): Promise<string[]> {
    const dirs = this.dirs();
    const left = await destroyGroups(dirs);
    for (const dir of dirs) if (!left.includes(dir)) liveCgroups.delete(dir);
    for (const controller of Object.keys(this.groups) as Controller[]) delete this.groups[controller];
    this.unified = null;
    return left.map((dir) => `could not remove the cgroup ${dir}: a process in it does not die`);
  }

  /** Limits the program ran into, in words, from the cgroups' counters and its exit signal. */
  hits(exit: ExitInfo | null): string[] {
    const hits: string[] = [];
    const { memory, pids } = this.groups;
    const inUnified = (controller: Controller) => (this.unified?.controllers.includes(controller) ? this.unified.dir : undefined);
    const unifiedMemory = inUnified('memory');
    const unifiedPids = inUnified('pids');
    const oomKills = unifiedMemory ? readCounter(unifiedMemory, 'memory.events', 'oom_kill') : memory ? readCounter(memory, 'memory.oom_control', 'oom_kill') : 0;
    if (oomKills > 0) hits.push(`memory limit (${formatBytes(this.limits.memoryBytes)}) reached: the kernel killed ${plural(oomKills, 'process', 'processes')}`);
    const pidsGroup = unifiedPids ?? pids;
    const refused = pidsGroup ? readCounter(pidsGroup, 'pids.events', 'max') : 0;
    if (refused > 0) hits.push(`process limit (${this.limits.processes}) reached: ${plural(refused, 'fork', 'forks')} refused`);
    if (exit?.signal === 'SIGXCPU') hits.push(`CPU time limit (${this.limits.cpuSeconds}s) reached: killed by SIGXCPU`);
    if (exit?.signal === 'SIGXFSZ') hits.push(`file size limit (${formatBytes(this.limits.fileSizeBytes)}) reached: killed by SIGXFSZ`);
    return hits;
  }

  private prlimitWords(): string[] {
    const { prlimit, root } = this.support;
    if (!prlimit) return [];
    const { cpuSeconds, fileSizeBytes, openFiles, processes } = this.limits;
    // Soft CPU limit first (SIGXCPU says why), the hard one a second later in case SIGXCPU is ignored.
    const words = [prlimit, `--cpu=${cpuSeconds}:${cpuSeconds + 1}`, `--fsize=${fileSizeBytes}`, `--nofile=${openFiles}`, '--core=0'];
    if (!this.has('memory')) words.push(`--as=${FALLBACK_ADDRESS_SPACE_BYTES}`);
    // RLIMIT_NPROC counts every task of the user: what it runs already (for a sandbox user, the other
    // programs of its experiment) plus this program's own allowance.
    if (!this.has('pids') && this.user !== undefined) words.push(`--nproc=${userTaskCount(this.user) + processes}`);
    else if (!this.has('pids') && !root) words.push(`--nproc=${userTaskCount() + processes}`);
    return [...words, '--'];
  }

  /** The program's cgroup folders: its cgroup v2 first, then its v1 groups. */
  private dirs(): string[] {
    return [...(this.unified ? [this.unified.dir] : []), ...Object.values(this.groups)];
  }

  /** Whether a cgroup of the program limits with `controller`. */
  private has(controller: Controller): boolean {
    return Boolean(this.groups[controller] || this.unified?.controllers.includes(controller));
  }

  private describeFallbacks(missing: Partial<Record<Controller | 'prlimit', string>>): string[] {
    const { prlimit, root } = this.support;
    const parts: string[] = [];
    if (missing.pids) {
      if (this.user !== undefined && prlimit) parts.push(`processes limited by RLIMIT_NPROC of the experiment's own user ${this.user}, counted over its programs together (pids cgroup: ${missing.pids})`);
      else if (root || !prlimit) parts.push(`no process limit (pids cgroup: ${missing.pids}${root ? '; RLIMIT_NPROC does not bind root' : ''})`);
      else parts.push(`processes limited per user by RLIMIT_NPROC, not per program (pids cgroup: ${missing.pids})`);
    }
    if (missing.memory) {
      if (prlimit) parts.push(`memory limited per process by RLIMIT_AS ${formatBytes(FALLBACK_ADDRESS_SPACE_BYTES)} (memory cgroup: ${missing.memory})`);
      else parts.push(`no memory limit (memory cgroup: ${missing.memory})`);
    }
    if (missing.prlimit) parts.push(`no CPU, file size or open-file limits (${missing.prlimit})`);
    return parts;
  }
}

function settings(controller: Controller, limits: ResourceLimits): GroupSetting[] {
  if (controller === 'pids') return [['pids.max', String(limits.processes)]];
  // RAM and RAM+swap alike: without the second, a program could swap its way past the first.
  return [
    ['memory.limit_in_bytes', String(limits.memoryBytes)],
    ['memory.memsw.limit_in_bytes', String(limits.memoryBytes), true],
  ];
}

function makeGroup(base: string, groupSettings: GroupSetting[]): string {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return createGroup(base, `${process.pid}-${nextGroup++}`, groupSettings);
    } catch (error) {
      // A folder left by an earlier harness with the same pid: take the next name.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw error;
    }
  }
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
