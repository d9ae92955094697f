// Whether this machine can confine programs (sandbox.ts), found once per harness process by making a
// sandbox and running `true` in it: bubblewrap must be installed and allowed to make namespaces, and
// env must know --ignore-signal. Then whether a confined program can also run as a user of its own
// (sandbox-user.ts): socklab must be root (only root may change users) and have util-linux's setpriv,
// and the trial is made again as such a user.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { findExecutable } from './limit-support.js';
import { BWRAP_VARIABLE, ENV, sandboxCommand } from './sandbox.js';

export interface SandboxSupport {
  /** Absolute path of bwrap, when a sandbox can be made on this machine. */
  bwrap: string | null;
  /** `bubblewrap 0.8.0` */
  version?: string;
  /** Why there is no sandbox, with what to do about it. */
  problem?: string;
  /** Absolute path of setpriv, when confined programs can run as users of their own. */
  setpriv?: string | null;
  /** Why confined programs keep socklab's own user (there is a sandbox, but no users of their own). */
  userProblem?: string;
}

/** The user the trial runs as (nobody): any user but socklab's own shows that the change works. */
const TRIAL_USER = { uid: 65534, gid: 65534 };

let probed: SandboxSupport | null = null;

export function sandboxSupport(): SandboxSupport {
  probed ??= probe();
  return probed;
}

/** For tests of the fallback: replaces what the probe found (null probes again). */
export function overrideSandboxSupport(support: SandboxSupport | null): void {
  probed = support;
}

function probe(): SandboxSupport {
  if (process.platform !== 'linux') return { bwrap: null, problem: `bubblewrap needs Linux, not ${process.platform}` };
  const configured = process.env[BWRAP_VARIABLE];
  const bwrap = configured ? findExecutable(configured, process.env.PATH ?? '') : findExecutable('bwrap', `${process.env.PATH ?? ''}:/usr/bin:/bin`);
  if (!bwrap) return { bwrap: null, problem: `bubblewrap is not installed${configured ? ` (${BWRAP_VARIABLE}=${configured} is not an executable)` : ''}: apt-get install bubblewrap` };
  const envWorks = spawnSync(ENV, ['--ignore-signal=TERM', '--default-signal=TERM', 'true'], { timeout: 5000 });
  if (envWorks.status !== 0) return { bwrap: null, problem: `${ENV} does not know --ignore-signal (needs GNU coreutils 9.0 or later)` };
  const failed = trial(bwrap, null);
  if (failed) return { bwrap: null, problem: `bwrap cannot make a sandbox here (${failed}); it needs root or unprivileged user namespaces` };
  const version = spawnSync(bwrap, ['--version'], { encoding: 'utf8', timeout: 5000 }).stdout?.trim() || 'bubblewrap';
  return { bwrap, version, ...userSupport(bwrap) };
}

function userSupport(bwrap: string): Pick<SandboxSupport, 'setpriv' | 'userProblem'> {
  if (process.getuid?.() !== 0) return { setpriv: null, userProblem: 'socklab is not root, so its programs run as its own user' };
  const setpriv = findExecutable('setpriv', `${process.env.PATH ?? ''}:/usr/bin:/bin`);
  if (!setpriv) return { setpriv: null, userProblem: 'setpriv is not installed (apt-get install util-linux), so programs run as root (without capabilities)' };
  const failed = trial(bwrap, setpriv);
  return failed ? { setpriv: null, userProblem: `setpriv cannot change users in the sandbox (${failed}), so programs run as root (without capabilities)` } : { setpriv };
}

/** Runs `true` in a sandbox (as another user when `setpriv` is given); null when it worked, else why not. */
function trial(bwrap: string, setpriv: string | null): string | null {
  const cwd = os.tmpdir();
  const request = { writable: [cwd], cwd, ...(setpriv ? { user: TRIAL_USER } : {}) };
  const args = sandboxCommand({ bwrap, setpriv }, request, ['true']).slice(3);
  const run = spawnSync(bwrap, args, { timeout: 10_000, encoding: 'utf8' });
  if (run.status === 0) return null;
  return (run.stderr || run.error?.message || `exit ${run.status ?? run.signal}`).trim();
}
