// Finds processes by the tag the harness puts in every program's environment, so that a program which
// left its process group (setsid, a double-forked daemon) is still found and killed at teardown.
// Without /proc (macOS, a BSD), `ps e` lists each process's environment after its command line.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { platformSupport } from './platform-support.js';

export const TAG_VARIABLE = 'SOCKLAB_TAG';

/** Pids of live processes whose environment has SOCKLAB_TAG starting with `tagPrefix`. */
export function findTaggedProcesses(tagPrefix: string): number[] {
  const { proc, ps } = platformSupport();
  if (!proc) return ps ? findTaggedByPs(ps, tagPrefix) : [];
  const needle = Buffer.from(`${TAG_VARIABLE}=${tagPrefix}`);
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`);
      if (hasEntryStartingWith(environ, needle)) found.push(pid);
    } catch {
      // The process ended meanwhile, or is not ours to read.
    }
  }
  return found;
}

/**
 * The same from `ps axeww -o pid=,command=` (BSD and procps alike): the environment follows the command
 * line, words separated by spaces, so the tag is a word of its own. Exported for tests.
 */
export function findTaggedByPs(ps: string, tagPrefix: string): number[] {
  let listing: string;
  try {
    listing = execFileSync(ps, ['axeww', '-o', 'pid=,command='], { encoding: 'utf8', timeout: 5000, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return [];
  }
  const word = ` ${TAG_VARIABLE}=${tagPrefix}`;
  const found: number[] = [];
  for (const line of listing.split('\n')) {
    const pid = Number(/^\s*(\d+)\s/.exec(line)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && line.includes(word)) found.push(pid);
  }
  return found;
}

function hasEntryStartingWith(environ: Buffer, needle: Buffer): boolean {
  let start = 0;
  while (start < environ.length) {
    const end = environ.indexOf(0, start);
    const stop = end === -1 ? environ.length : end;
    if (stop - start >= needle.length && environ.subarray(start, start + needle.length).equals(needle)) return true;
    start = stop + 1;
  }
  return false;
}

/** SIGKILLs every tagged process (repeatedly, since a fork bomb keeps spawning). Returns how many it hit. */
export function killTaggedProcesses(tagPrefix: string, rounds = 5): number {
  return killRepeatedly(() => findTaggedProcesses(tagPrefix), rounds);
}

/** SIGKILL to every process `find` lists, round after round until it lists none. Returns how many it hit. */
export function killRepeatedly(find: () => number[], rounds = 5): number {
  let killed = 0;
  for (let round = 0; round < rounds; round += 1) {
    const pids = find();
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed += 1;
      } catch {
        // Already gone.
      }
    }
  }
  return killed;
}
