// What keeps one experiment's programs apart from everything else, taken when the experiment is
// planned and given back with it (releasePlan):
//   - a /tmp of its own, `tmp/` in the experiment's temp folder: every program of the experiment and
//     its restarts see the same one (a proxy's cache survives its restart), no other experiment does
//     (a cache cannot answer for another experiment). In the sandbox it is /tmp; without it, TMPDIR;
//   - its own copy of a submission's folder (copyPerExperiment: grade's working copy, or run's
//     --submission folder with --sandbox), in the temp folder, so that what one experiment writes
//     there (a proxy that caches next to itself) is never seen by another;
//   - a user of its own (sandbox-user.ts) for its confined programs, where socklab is root: the temp
//     folder, its /tmp and its copies are handed to that user.
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RoleBinding } from '../lab/role-table.js';
import { sandboxSupport } from '../process/sandbox-support.js';
import { inside } from '../process/sandbox.js';
import { chownTree, leaseSandboxUser, releaseSandboxUser, type SandboxUser } from '../process/sandbox-user.js';

export interface Containment {
  /** The experiment's /tmp for its programs (TMPDIR without the sandbox). */
  tmp: string;
  /** The user its confined programs run as, when they get one. */
  user?: SandboxUser;
  /** Where a folder of a role's program (its cwd, its files) is in this experiment: in the experiment's copy when its folder was copied. */
  inExperiment(folder: string | undefined): string | undefined;
  /** Whether `cwd` is the experiment's own (its copy or temp folder), rather than a folder it may only read. */
  ownsFolder(cwd: string): boolean;
}

export interface ContainmentRequest {
  tmpDir: string;
  /** The roles the experiment launches. */
  bindings: RoleBinding[];
  /** Whether submissions' programs are confined (a sandbox policy is given). */
  confined: boolean;
  /** Submission folders whose programs work in a copy per experiment. */
  copyPerExperiment: string[];
}

export async function containExperiment(request: ContainmentRequest): Promise<Containment> {
  const { tmpDir, bindings } = request;
  const tmp = path.join(tmpDir, 'tmp');
  await mkdir(tmp, { mode: 0o700 });
  const copies = new Map<string, string>();
  for (const binding of bindings) {
    const root = binding.source === 'submission' && binding.cwd ? request.copyPerExperiment.find((folder) => inside(binding.cwd!, folder)) : undefined;
    if (!root || copies.has(root)) continue;
    const copy = path.join(tmpDir, copies.size === 0 ? 'submission' : `submission-${copies.size + 1}`);
    await copySubmissionFolder(root, copy);
    copies.set(root, copy);
  }
  const confinedRole = request.confined && bindings.some((binding) => binding.source === 'submission' && binding.unavailable === undefined);
  const user = confinedRole && sandboxSupport().setpriv ? leaseSandboxUser() : undefined;
  try {
    if (user) chownTree(tmpDir, user);
  } catch (error) {
    releaseSandboxUser(user!);
    throw error;
  }
  return {
    tmp,
    ...(user ? { user } : {}),
    inExperiment: (folder) => {
      if (!folder) return undefined;
      for (const [root, copy] of copies) if (inside(folder, root)) return path.join(copy, path.relative(root, folder));
      return folder;
    },
    ownsFolder: (cwd) => inside(cwd, tmpDir),
  };
}

/** Gives back the experiment's user: whatever still runs as it is killed first. */
export function releaseContainment(user: SandboxUser | undefined): void {
  if (user) releaseSandboxUser(user);
}

/** Copies a submission's folder, without what version control and package managers keep there. */
export async function copySubmissionFolder(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true, verbatimSymlinks: true, filter: (source) => !/(^|\/)(\.git|node_modules|__pycache__)(\/|$)/.test(path.relative(from, source)) });
}
