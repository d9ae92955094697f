// The filesystem sandbox for untrusted programs (a student's submission): bubblewrap (`bwrap`, Debian's
// bubblewrap) gives the program a root of its own in which it sees
//   - the system read-only: /usr (and the /bin, /lib… links to it), /etc, /opt, /sys;
//   - tool installations on PATH outside those, read-only (pyenv, nvm, cargo, conda, ~/.local): for a
//     PATH folder named bin or shims its parent, else the folder itself; never a whole home folder or /,
//     nothing inside a hidden folder, plus the folders in SOCKLAB_SANDBOX_READ (colon-separated);
//   - fresh /dev and /proc, and a private, empty /tmp (HOME points there);
//   - read-write: its own folder (the student's working copy) and the experiment's temp folder;
// and nothing else. The hidden folders (socklab itself with its reference programs, the specs with
// their expected answers, the class, the reports) get an empty read-only tmpfs over them wherever they
// would show through a read-only folder. The root itself is read-only, so a write anywhere else fails
// with EROFS or ENOENT. All capabilities are dropped (bwrap also sets no_new_privs), so even as root
// the program cannot undo the mounts.
//
// bwrap stays as the parent of the program (it always forks), which would break the harness's process
// model in two ways, both handled here rather than by each caller:
//   - SIGTERM to the process group would kill bwrap at once, and --die-with-parent then SIGKILLs the
//     program: no grace period. So bwrap runs with SIGTERM ignored (`env --ignore-signal=TERM`), and
//     the program gets the default disposition back (`env --default-signal=TERM`) before it starts.
//   - bwrap reports a death by signal n as exit code 128+n (like a shell); program.ts turns
//     that back into the signal (decodeShellExit in exit-info.ts).
// Network namespaces (`ip netns exec`) and the limits wrapper stay outside bwrap (program.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findExecutable } from './limit-support.js';

/** What one sandboxed program may write, and where it starts. */
export interface SandboxRequest {
  /** Folders the program may read and write (its working copy, the experiment's temp folder). */
  writable: string[];
  /** Its working folder (one of `writable`, or inside one). */
  cwd: string;
  /** Folders it must not see even where a read-only folder holds them (SandboxPolicy). */
  hidden?: string[];
}

/** What a run hides from every sandboxed program: socklab, the specs and lab file, the class, the reports. */
export interface SandboxPolicy {
  hidden: string[];
}

export interface SandboxSupport {
  /** Absolute path of bwrap, when a sandbox can be made on this machine. */
  bwrap: string | null;
  /** `bubblewrap 0.8.0` */
  version?: string;
  /** Why there is no sandbox, with what to do about it. */
  problem?: string;
}

/** Environment variable naming the bwrap binary to use (default: `bwrap` on PATH). */
export const BWRAP_VARIABLE = 'SOCKLAB_BWRAP';
/** Environment variable with more folders (colon-separated) sandboxed programs may read. */
export const READ_VARIABLE = 'SOCKLAB_SANDBOX_READ';
const ENV = '/usr/bin/env';
/** Top-level folders of the system that programs may read. */
const SYSTEM_FOLDERS = ['/usr', '/etc', '/opt', '/sys'];
/** Top-level names that are links into /usr on a merged-/usr system, or folders of their own elsewhere. */
const SYSTEM_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

let probed: SandboxSupport | null = null;

/** Whether bwrap works here, found once per harness process by making a sandbox and running `true` in it. */
export function sandboxSupport(): SandboxSupport {
  probed ??= probe();
  return probed;
}

/** For tests of the fallback: replaces what the probe found (null probes again). */
export function overrideSandboxSupport(support: SandboxSupport | null): void {
  probed = support;
}

/** The command that runs `command` (an absolute executable and its arguments) inside the sandbox. */
export function sandboxCommand(bwrap: string, request: SandboxRequest, command: string[]): string[] {
  const hidden = (request.hidden ?? []).map((folder) => path.resolve(folder));
  const readable = readableFolders(hidden);
  const covered = hidden.filter((folder) => readable.some((outer) => inside(folder, outer)) && existsSync(folder));
  const writable = [...new Set(request.writable.map((folder) => path.resolve(folder)))];
  return [
    ENV,
    '--ignore-signal=TERM',
    bwrap,
    ...systemArguments(readable),
    ...covered.flatMap((folder) => ['--tmpfs', folder]),
    ...writable.flatMap((folder) => ['--bind', folder, folder]),
    // Read-only last: bwrap makes the mount points of the binds above in these first.
    ...[...covered, '/'].flatMap((folder) => ['--remount-ro', folder]),
    '--chdir',
    request.cwd,
    '--setenv',
    'HOME',
    '/tmp',
    '--',
    ENV,
    '--default-signal=TERM',
    ...command,
  ];
}

/** Folders sandboxed programs may read, outermost only: the system's, tools' on PATH, SOCKLAB_SANDBOX_READ's. */
export function readableFolders(hidden: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME ? path.resolve(env.HOME) : null;
  const tools = (env.PATH ?? '').split(':').flatMap((entry) => {
    if (!path.isAbsolute(entry) || !existsSync(entry)) return [];
    const folder = realpathSync(entry);
    const parent = path.dirname(folder);
    const root = ['bin', 'shims'].includes(path.basename(folder)) && parent !== '/' && parent !== home && path.dirname(parent) !== '/home' ? parent : folder;
    return root === '/' || root === home ? [] : [root];
  });
  const extra = (env[READ_VARIABLE] ?? '').split(':').filter((entry) => path.isAbsolute(entry) && existsSync(entry));
  const candidates = [...SYSTEM_FOLDERS.filter((folder) => existsSync(folder)), ...tools, ...extra].filter((folder) => !hidden.some((secret) => inside(folder, secret)));
  const unique = [...new Set(candidates)];
  return unique.filter((folder) => !unique.some((other) => other !== folder && inside(folder, other)));
}

/** True when `folder` is `outer` or inside it. */
function inside(folder: string, outer: string): boolean {
  const relative = path.relative(outer, folder);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The mounts every sandbox has: the readable folders read-only, fresh /dev, /proc and /tmp, no capabilities. */
function systemArguments(readable: string[]): string[] {
  // /tmp first, so that a readable folder inside it (SOCKLAB_SANDBOX_READ) shows through.
  const words = ['--die-with-parent', '--unshare-ipc', '--cap-drop', 'ALL', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  for (const folder of readable) words.push('--ro-bind', folder, folder);
  for (const name of SYSTEM_LINKS) {
    const stat = lstatSync(name, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) words.push('--symlink', readlinkSync(name), name);
    else if (stat?.isDirectory()) words.push('--ro-bind', name, name);
  }
  return words;
}

function probe(): SandboxSupport {
  if (process.platform !== 'linux') return { bwrap: null, problem: `bubblewrap needs Linux, not ${process.platform}` };
  const configured = process.env[BWRAP_VARIABLE];
  const bwrap = configured ? findExecutable(configured, process.env.PATH ?? '') : findExecutable('bwrap', `${process.env.PATH ?? ''}:/usr/bin:/bin`);
  if (!bwrap) return { bwrap: null, problem: `bubblewrap is not installed${configured ? ` (${BWRAP_VARIABLE}=${configured} is not an executable)` : ''}: apt-get install bubblewrap` };
  const envWorks = spawnSync(ENV, ['--ignore-signal=TERM', '--default-signal=TERM', 'true'], { timeout: 5000 });
  if (envWorks.status !== 0) return { bwrap: null, problem: `${ENV} does not know --ignore-signal (needs GNU coreutils 9.0 or later)` };
  const cwd = os.tmpdir();
  const trial = spawnSync(bwrap, sandboxCommand(bwrap, { writable: [cwd], cwd }, ['true']).slice(3), { timeout: 10_000, encoding: 'utf8' });
  if (trial.status !== 0) {
    const why = (trial.stderr || trial.error?.message || `exit ${trial.status ?? trial.signal}`).trim();
    return { bwrap: null, problem: `bwrap cannot make a sandbox here (${why}); it needs root or unprivileged user namespaces` };
  }
  const version = spawnSync(bwrap, ['--version'], { encoding: 'utf8', timeout: 5000 }).stdout?.trim() || 'bubblewrap';
  return { bwrap, version };
}
