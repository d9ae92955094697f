// The sandbox for untrusted programs (a submission's), made with bubblewrap (`bwrap`, Debian's
// bubblewrap). A confined program gets a root of its own in which it sees
//   - the system read-only: /usr (and the /bin, /lib… links to it), /etc, /opt, /sys;
//   - tool installations on PATH outside those, read-only (pyenv, nvm, cargo, conda, ~/.local): for a
//     PATH folder named bin or shims its parent, else the folder itself; never a whole home folder or /,
//     nothing inside a hidden folder, plus the folders in SOCKLAB_SANDBOX_READ (colon-separated);
//   - fresh /dev and /proc, and as /tmp (also HOME and TMPDIR) its experiment's own folder, or a
//     private, empty one;
//   - read-write: its own folder (its experiment's copy of the submission) and the experiment's temp
//     folder; read-only: the folders of `readable` (a --role program's folder, which is not its own);
// and nothing else. The hidden folders (socklab itself with its reference programs, the specs with
// their expected answers, the class, the reports) get an empty read-only tmpfs over them wherever they
// would show through a read-only folder. The root itself is read-only, so a write anywhere else fails
// with EROFS or ENOENT. It has a PID namespace of its own: it sees and can signal only its own
// processes (one namespace per program: a server and its client do not see each other). With `user`
// it runs as that unprivileged user (sandbox-user.ts), switched to by setpriv inside the sandbox, after
// bwrap (which runs as root, so no user namespace is needed) has made the mounts; otherwise as
// socklab's own user. Either way all capabilities are dropped, the bounding set emptied with the user,
// and no_new_privs set, so the program cannot undo the mounts or gain privileges by exec.
//
// bwrap stays as the parent of the program (it always forks; with the PID namespace there are two: the
// one socklab started, and the namespace's init, whose child is the program), which would break the
// harness's process model in two ways, both handled here rather than by each caller:
//   - SIGTERM to the process group would kill bwrap at once, and --die-with-parent then SIGKILLs the
//     program: no grace period. So bwrap runs with SIGTERM ignored (`env --ignore-signal=TERM`), and
//     the program gets the default disposition back (`env --default-signal=TERM`) before it starts.
//     All of them stay in the process group socklab made, so SIGTERM and SIGKILL to it reach the program.
//   - bwrap reports a death by signal n as exit code 128+n (like a shell); program.ts turns
//     that back into the signal (decodeShellExit in exit-info.ts).
// When the program (the namespace's first process) ends, the kernel kills whatever it left in its
// namespace. Network namespaces (`ip netns exec`) and the limits wrapper stay outside bwrap (program.ts).
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** What one sandboxed program may read and write, where it starts, and as whom. */
export interface SandboxRequest {
  /** Folders the program may read and write (its working copy, the experiment's temp folder). */
  writable: string[];
  /** More folders it may read (a --role program's own folder, which is not its user's). */
  readable?: string[];
  /** Its working folder (in one of `writable` or `readable`). */
  cwd: string;
  /** Folders it must not see even where a read-only folder holds them (SandboxPolicy). */
  hidden?: string[];
  /** The folder seen as /tmp, shared by the experiment's programs; default: a private, empty tmpfs. */
  tmp?: string;
  /** Run as this unprivileged user (needs root and setpriv: SandboxSupport.setpriv); default: socklab's. */
  user?: { uid: number; gid: number };
}

/** What a run hides from every sandboxed program: socklab, the specs and lab file, the class, the reports. */
export interface SandboxPolicy {
  hidden: string[];
}

/** The tools that make a sandbox (SandboxSupport, found by sandbox-support.ts). */
export interface SandboxTools {
  bwrap: string;
  /** Needed when the request has a `user`. */
  setpriv?: string | null;
}

/** Environment variable naming the bwrap binary to use (default: `bwrap` on PATH). */
export const BWRAP_VARIABLE = 'SOCKLAB_BWRAP';
/** Environment variable with more folders (colon-separated) sandboxed programs may read. */
export const READ_VARIABLE = 'SOCKLAB_SANDBOX_READ';
export const ENV = '/usr/bin/env';
/** Top-level folders of the system that programs may read. */
const SYSTEM_FOLDERS = ['/usr', '/etc', '/opt', '/sys'];
/** Top-level names that are links into /usr on a merged-/usr system, or folders of their own elsewhere. */
const SYSTEM_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** Only root in the sandbox may change users: setpriv needs these, and drops them with the change. */
const USER_CHANGE_CAPABILITIES = ['CAP_SETUID', 'CAP_SETGID', 'CAP_SETPCAP'];

/** The command that runs `command` (an absolute executable and its arguments) inside the sandbox. */
export function sandboxCommand(tools: SandboxTools, request: SandboxRequest, command: string[]): string[] {
  if (request.user && !tools.setpriv) throw new Error('a sandbox user needs setpriv');
  const hidden = (request.hidden ?? []).map((folder) => path.resolve(folder));
  const readable = readableFolders(hidden);
  const covered = hidden.filter((folder) => readable.some((outer) => inside(folder, outer)) && existsSync(folder));
  const writable = unique(request.writable);
  const extraReadable = unique(request.readable ?? []).filter((folder) => !writable.some((outer) => inside(folder, outer)));
  // A --role program's folder may hold what it must not see (run from socklab's own folder: the specs).
  const coveredLater = hidden.filter((folder) => !covered.includes(folder) && extraReadable.some((outer) => folder !== outer && inside(folder, outer)) && existsSync(folder));
  const bound = [...readable, ...writable, ...extraReadable];
  // As another user, its folder is entered after the change (by env): bwrap, root without capabilities
  // by then, may not enter it.
  const changeUser = request.user ? [tools.setpriv!, `--reuid=${request.user.uid}`, `--regid=${request.user.gid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--'] : [];
  return [
    ENV,
    '--ignore-signal=TERM',
    tools.bwrap,
    ...namespaceArguments(request),
    // The folders bwrap makes to mount on are not always open to all: the program's user must pass.
    ...missingParents(bound).flatMap((folder) => ['--perms', '0755', '--dir', folder]),
    ...systemMounts(readable),
    ...covered.flatMap((folder) => ['--tmpfs', folder]),
    ...writable.flatMap((folder) => ['--bind', folder, folder]),
    ...extraReadable.flatMap((folder) => ['--ro-bind', folder, folder]),
    ...coveredLater.flatMap((folder) => ['--tmpfs', folder]),
    // Read-only last: bwrap makes the mount points of the binds above in these first.
    ...[...covered, ...coveredLater, '/'].flatMap((folder) => ['--remount-ro', folder]),
    '--chdir',
    request.user ? '/' : request.cwd,
    '--setenv',
    'HOME',
    '/tmp',
    '--setenv',
    'TMPDIR',
    '/tmp',
    '--',
    ...changeUser,
    ENV,
    '--default-signal=TERM',
    ...(request.user ? [`--chdir=${request.cwd}`] : []),
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
  const outermost = [...new Set(candidates)];
  return outermost.filter((folder) => !outermost.some((other) => other !== folder && inside(folder, other)));
}

/** True when `folder` is `outer` or inside it. */
export function inside(folder: string, outer: string): boolean {
  const relative = path.relative(outer, folder);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function unique(folders: string[]): string[] {
  return [...new Set(folders.map((folder) => path.resolve(folder)))];
}

/** The folders above the bound ones that bwrap would make itself, outermost first (those not inside a bound folder). */
function missingParents(bound: string[]): string[] {
  const parents = new Set<string>();
  for (const folder of bound) {
    for (let parent = path.dirname(folder); parent !== '/' && parent !== '/tmp'; parent = path.dirname(parent)) {
      if (!bound.some((outer) => inside(parent, outer))) parents.add(parent);
    }
  }
  return [...parents].sort((a, b) => a.split('/').length - b.split('/').length);
}

/** Its own PID namespace, no capabilities (but those setpriv needs to change users), fresh /dev and /proc, and /tmp. */
function namespaceArguments(request: SandboxRequest): string[] {
  const capabilities = request.user ? USER_CHANGE_CAPABILITIES.flatMap((name) => ['--cap-add', name]) : [];
  const words = ['--die-with-parent', '--unshare-ipc', '--unshare-pid', '--cap-drop', 'ALL', ...capabilities, '--dev', '/dev', '--proc', '/proc'];
  // /tmp first, so that a readable folder inside it (SOCKLAB_SANDBOX_READ) shows through.
  return [...words, ...(request.tmp ? ['--bind', path.resolve(request.tmp), '/tmp'] : ['--tmpfs', '/tmp'])];
}

/** The readable folders, read-only, and the system's top-level links. */
function systemMounts(readable: string[]): string[] {
  const words: string[] = [];
  for (const folder of readable) words.push('--ro-bind', folder, folder);
  for (const name of SYSTEM_LINKS) {
    const stat = lstatSync(name, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) words.push('--symlink', readlinkSync(name), name);
    else if (stat?.isDirectory()) words.push('--ro-bind', name, name);
  }
  return words;
}
