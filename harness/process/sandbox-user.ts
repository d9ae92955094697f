// The unprivileged users that confined programs run as (sandbox.ts): one per experiment, shared by
// its programs and their restarts, and one per build, never one for two things that run at once.
// Where socklab runs as root, a program of a submission is then not root: it cannot read what only
// root may (/etc/shadow), signal or trace socklab or any other process of another user, and
// RLIMIT_NPROC binds it (it does not bind root), counted over its user alone.
//
// The users are numbers with no entry in /etc/passwd, taken from a range nothing else on a Linux
// machine uses (systemd's "UIDS-GIDS.md": 1879048192–2147352575 is unassigned; the container range
// ends below it, and 2^31 and above is avoided because some tools read uid_t as signed). Each socklab
// run takes a block of BLOCK_SIZE of them chosen by its pid, which no other live process on the machine
// shares, so two socklab runs at the same time never share a user; a block where some process already
// runs, or that /etc/passwd or /etc/group names, is passed over. Within the run a user is leased and
// given back, the lowest free one first. The group is the user's number too.
import { lchownSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { safeReaddir, tasksPerUser } from './limit-support.js';
import { killRepeatedly } from './process-sweep.js';

export const FIRST_SANDBOX_UID = 1_900_000_000;
const LAST_SANDBOX_UID = 2_147_352_575;
/** Users one run can hold at once: experiments running and builds (a class builds its students at once). */
const BLOCK_SIZE = 4096;
const BLOCK_COUNT = Math.floor((LAST_SANDBOX_UID - FIRST_SANDBOX_UID + 1) / BLOCK_SIZE);

/** A user lent to one experiment or build; give it back with releaseSandboxUser. */
export interface SandboxUser {
  uid: number;
  gid: number;
}

let block: number | null = null;
const held = new Set<number>();

/** Lends a user of this run's block that nothing else holds. Throws when the block is used up. */
export function leaseSandboxUser(): SandboxUser {
  block ??= chooseBlock(process.pid);
  for (let slot = 0; slot < BLOCK_SIZE; slot += 1) {
    if (held.has(slot)) continue;
    held.add(slot);
    const uid = FIRST_SANDBOX_UID + block * BLOCK_SIZE + slot;
    return { uid, gid: uid };
  }
  throw new Error(`all ${BLOCK_SIZE} users of socklab's block are in use: too many experiments and builds at once`);
}

/** Kills whatever still runs as `user` (its experiment is over: anything left escaped), then lends it again. */
export function releaseSandboxUser(user: SandboxUser): void {
  killProcessesOf(user.uid);
  if (block !== null) held.delete(user.uid - FIRST_SANDBOX_UID - block * BLOCK_SIZE);
}

/** Hands a folder and everything in it to `user` (a link itself, never what it points to). */
export function chownTree(folder: string, user: { uid: number; gid: number }): void {
  lchownSync(folder, user.uid, user.gid);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const child = path.join(folder, entry.name);
    if (entry.isDirectory()) chownTree(child, user);
    else lchownSync(child, user.uid, user.gid);
  }
}

/** SIGKILL to every process whose real uid is `uid`, round after round (a fork bomb keeps forking). */
export function killProcessesOf(uid: number, rounds = 5): number {
  return killRepeatedly(() => processesOf(uid), rounds);
}

function processesOf(uid: number): number[] {
  const pids: number[] = [];
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]) === uid) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** The block of `pid`, or the next one where no process runs and that no account names. */
function chooseBlock(pid: number): number {
  const running = [...tasksPerUser().keys()];
  const named = [...accountIds('/etc/passwd'), ...accountIds('/etc/group')];
  const taken = [...running, ...named].filter((id) => id >= FIRST_SANDBOX_UID && id <= LAST_SANDBOX_UID).map((id) => Math.floor((id - FIRST_SANDBOX_UID) / BLOCK_SIZE));
  for (let step = 0; step < BLOCK_COUNT; step += 1) {
    const candidate = (pid + step) % BLOCK_COUNT;
    if (!taken.includes(candidate)) return candidate;
  }
  throw new Error('every block of sandbox users is in use');
}

/** The numeric ids (third field) of /etc/passwd or /etc/group. */
function accountIds(file: string): number[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => Number(line.split(':')[2]))
      .filter((id) => Number.isInteger(id));
  } catch {
    return [];
  }
}
