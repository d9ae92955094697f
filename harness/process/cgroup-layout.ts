// Where this machine's cgroup hierarchies are mounted and where socklab itself sits in each, read from
// /proc/self/mountinfo and /proc/self/cgroup. Three layouts are common:
//   - cgroup v1 only (older distributions): one hierarchy per controller, /sys/fs/cgroup/<controller>;
//   - hybrid (systemd's default for some years): the v1 hierarchies and an empty cgroup v2 hierarchy at
//     /sys/fs/cgroup/unified; a controller bound to a v1 hierarchy cannot be used in v2;
//   - cgroup v2 only ("unified": current Debian, Ubuntu, Fedora, GitHub's runners): one hierarchy at
//     /sys/fs/cgroup, with the controllers a cgroup hands to its children in cgroup.subtree_control.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Hierarchy {
  /** Where it is mounted. */
  point: string;
  /** The folder of socklab's own cgroup in it (under `point`), or null when that cgroup is outside the mounted part. */
  own: string | null;
  /** socklab's own cgroup as /proc/self/cgroup names it. */
  ownPath: string;
}

export interface CgroupLayout {
  /** v1 hierarchies by the controllers bound to them (`pids`, `memory`, …). */
  v1: Map<string, Hierarchy>;
  /** The cgroup v2 hierarchy, when one is mounted and socklab is in it. */
  unified: Hierarchy | null;
}

let read: CgroupLayout | { reason: string } | null = null;

/** The layout, read once per harness process; a reason when there is no /proc to read it from. */
export function cgroupLayout(): CgroupLayout | { reason: string } {
  read ??= readLayout();
  return read;
}

function readLayout(): CgroupLayout | { reason: string } {
  try {
    return parseLayout(readFileSync('/proc/self/mountinfo', 'utf8'), readFileSync('/proc/self/cgroup', 'utf8'));
  } catch {
    return { reason: 'no /proc' };
  }
}

/** The layout from the text of /proc/self/mountinfo and /proc/self/cgroup. Exported for tests. */
export function parseLayout(mountinfo: string, ownGroups: string): CgroupLayout {
  // /proc/self/cgroup: `4:memory:/a/b` for v1 hierarchies, `0::/a/b` for cgroup v2.
  const own = ownGroups
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(':'))
    .map((fields) => ({ controllers: fields[1].split(',').filter(Boolean), path: fields.slice(2).join(':'), v2: fields[0] === '0' && fields[1] === '' }));
  const layout: CgroupLayout = { v1: new Map(), unified: null };
  // mountinfo: id parent major:minor root mountpoint options … - fstype source superoptions
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const fields = left.split(' ');
    const [fstype, , superOptions = ''] = right.split(' ');
    const root = unescapeMount(fields[3]);
    const point = unescapeMount(fields[4]);
    if (fstype === 'cgroup2') {
      const mine = own.find((entry) => entry.v2);
      // A cgroup2 file system can be mounted more than once (a container's bind mounts): the one under /sys/fs/cgroup wins.
      if (mine && (!layout.unified || point.startsWith('/sys/fs/cgroup'))) layout.unified = hierarchy(point, root, mine.path);
    } else if (fstype === 'cgroup') {
      for (const controller of superOptions.split(',')) {
        const mine = own.find((entry) => entry.controllers.includes(controller));
        if (mine && !layout.v1.has(controller)) layout.v1.set(controller, hierarchy(point, root, mine.path));
      }
    }
  }
  return layout;
}

function hierarchy(point: string, root: string, ownPath: string): Hierarchy {
  const relative = root === '/' ? ownPath : ownPath === root || ownPath.startsWith(`${root}/`) ? ownPath.slice(root.length) : null;
  // resolve, not join: the root cgroup (`/`) is the mount point itself, without a trailing slash.
  return { point, own: relative === null ? null : path.resolve(point, `.${relative}`), ownPath };
}

/** mountinfo escapes spaces and a few other characters as \ooo. */
function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
