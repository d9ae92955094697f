// Every process group and cgroup the harness has started and not yet cleaned up. On an abrupt exit of
// the harness (uncaught error, second Ctrl-C) these are killed synchronously so that no program
// outlives the run.
import { TAG_VARIABLE } from './process-sweep.js';
import { killTaggedProcesses } from './process-sweep.js';
import { destroyGroupsSync } from './cgroup-groups.js';

export const liveGroups = new Set<number>();
/** cgroup folders of programs (program-limits.ts), removed once their program is stopped. */
export const liveCgroups = new Set<string>();

let runTag: string | null = null;

/** Remembers the run's tag prefix so the emergency cleanup can sweep escaped processes too. */
export function setRunTag(tag: string): void {
  runTag = tag;
}

export function killAllSync(): void {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  liveGroups.clear();
  if (liveCgroups.size > 0) destroyGroupsSync([...liveCgroups]);
  liveCgroups.clear();
  if (runTag) killTaggedProcesses(runTag);
}

let installed = false;
/** Kills what is left when the harness process exits for any reason. */
export function installExitCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllSync);
}

export { TAG_VARIABLE };
