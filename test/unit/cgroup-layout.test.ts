// The cgroup layouts socklab meets, read from /proc/self/mountinfo and /proc/self/cgroup as each kind of
// machine writes them (v1 only, hybrid, unified, a container with and without its own cgroup
// namespace), and where socklab would put its cgroup v2 folder on a unified machine. This machine is
// hybrid with no pids or memory controller in cgroup v2 (component/cgroup-v2.test.ts uses what it has),
// so the choice among folders is tested on a folder tree shaped like a cgroup v2 hierarchy: the
// choice reads the files that say which controllers a cgroup hands down; what the kernel then does with
// the limits is not simulated here.
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseLayout, type CgroupLayout } from '../../harness/process/cgroup-layout.js';
import { unifiedBase } from '../../harness/process/cgroup-v2.js';
import { TempDir } from '../support/temp-dir.js';

const HYBRID_MOUNTS = `
25 18 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
30 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct
31 25 0:29 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,pids
32 25 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,memory`;
const HYBRID_GROUPS = `12:pids:/user.slice/user-1000.slice/session-2.scope
11:memory:/user.slice/user-1000.slice/session-2.scope
3:cpu,cpuacct:/user.slice
1:name=systemd:/user.slice/user-1000.slice/session-2.scope
0::/user.slice/user-1000.slice/session-2.scope
`;
const UNIFIED_MOUNTS = '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';

describe('cgroup layout', () => {
  it('on a hybrid machine: the v1 hierarchies by controller (joined ones under each name) and cgroup v2 at /sys/fs/cgroup/unified', () => {
    const layout = parseLayout(HYBRID_MOUNTS, HYBRID_GROUPS);
    expect([...layout.v1.keys()].sort()).to.deep.equal(['cpu', 'cpuacct', 'memory', 'name=systemd', 'pids']);
    expect(layout.v1.get('pids')).to.deep.equal({ point: '/sys/fs/cgroup/pids', own: '/sys/fs/cgroup/pids/user.slice/user-1000.slice/session-2.scope', ownPath: '/user.slice/user-1000.slice/session-2.scope' });
    expect(layout.v1.get('cpuacct')?.own).to.equal('/sys/fs/cgroup/cpu,cpuacct/user.slice');
    expect(layout.unified?.own).to.equal('/sys/fs/cgroup/unified/user.slice/user-1000.slice/session-2.scope');
  });

  it('on a unified machine (current Debian, Ubuntu, GitHub runners): no v1 hierarchy, cgroup v2 at /sys/fs/cgroup', () => {
    const layout = parseLayout(UNIFIED_MOUNTS, '0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-1.scope\n');
    expect(layout.v1.size).to.equal(0);
    expect(layout.unified).to.deep.equal({
      point: '/sys/fs/cgroup',
      own: '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-1.scope',
      ownPath: '/user.slice/user-1000.slice/user@1000.service/app.slice/run-1.scope',
    });
  });

  it('on a v1-only machine: the v1 hierarchies and no cgroup v2', () => {
    const mounts = HYBRID_MOUNTS.split('\n').filter((line) => !line.includes('cgroup2')).join('\n');
    const layout = parseLayout(mounts, HYBRID_GROUPS.replace(/^0::.*$/m, ''));
    expect(layout.unified).to.equal(null);
    expect(layout.v1.get('memory')?.own).to.equal('/sys/fs/cgroup/memory/user.slice/user-1000.slice/session-2.scope');
  });

  it('in a container with its own cgroup namespace: its cgroup is the root of what it sees', () => {
    const layout = parseLayout('700 690 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate', '0::/\n');
    expect(layout.unified?.own).to.equal('/sys/fs/cgroup');
  });

  it('in a container without one: the mounted part starts at its cgroup; a cgroup outside the mounted part has no folder', () => {
    const mounts = '700 690 0:30 /docker/4f1c /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw';
    expect(parseLayout(mounts, '0::/docker/4f1c\n').unified?.own).to.equal('/sys/fs/cgroup');
    expect(parseLayout(mounts, '0::/docker/4f1c/inner\n').unified?.own).to.equal('/sys/fs/cgroup/inner');
    expect(parseLayout(mounts, '0::/docker/4f1c2\n').unified).to.deep.equal({ point: '/sys/fs/cgroup', own: null, ownPath: '/docker/4f1c2' });
  });

  it('reads mount points with spaces (mountinfo writes them as \\040) and keeps the one under /sys/fs/cgroup of two mounts', () => {
    const mounts = ['40 30 0:30 / /mnt/my\\040cgroups rw - cgroup2 cgroup2 rw', UNIFIED_MOUNTS, '41 30 0:30 / /mnt/again rw - cgroup2 cgroup2 rw'].join('\n');
    expect(parseLayout(mounts, '0::/a\n').unified?.own).to.equal('/sys/fs/cgroup/a');
    expect(parseLayout(mounts.split('\n')[0], '0::/a\n').unified?.own).to.equal('/mnt/my cgroups/a');
  });
});

describe('cgroup v2: where socklab puts its folder (on a folder tree shaped like a unified hierarchy)', () => {
  let temp: TempDir;
  let point: string;
  /** A cgroup folder with the files that say what it has, hands down and holds. */
  const cgroup = (relative: string, files: { controllers: string; subtree: string; procs?: string }) => {
    const dir = path.join(point, relative);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'cgroup.controllers'), files.controllers);
    writeFileSync(path.join(dir, 'cgroup.subtree_control'), files.subtree);
    writeFileSync(path.join(dir, 'cgroup.procs'), files.procs ?? '');
    return dir;
  };
  const layoutAt = (own: string, v1: CgroupLayout['v1'] = new Map()): CgroupLayout => ({ v1, unified: { point, own: path.join(point, own), ownPath: `/${own}` } });
  beforeEach(() => {
    temp = new TempDir();
    point = path.join(temp.path, 'cgroup');
    cgroup('', { controllers: 'cpu memory pids', subtree: 'cpu memory pids' });
  });
  afterEach(() => temp.remove());

  it('goes under the closest ancestor that hands pids and memory down when its own cgroup holds processes (said: awayFrom), and enables them for its programs', () => {
    cgroup('user.slice', { controllers: 'memory pids', subtree: 'memory pids' });
    const slice = cgroup('user.slice/user-0.slice', { controllers: 'memory pids', subtree: 'memory pids' });
    const own = cgroup('user.slice/user-0.slice/session-1.scope', { controllers: 'memory pids', subtree: '', procs: `${process.pid}\n` });
    const found = unifiedBase(['pids', 'memory'], 'test-probe', layoutAt('user.slice/user-0.slice/session-1.scope'));
    expect(found).to.deep.equal({ base: path.join(slice, 'socklab'), controllers: ['pids', 'memory'], missing: {}, awayFrom: own, kill: false });
    // The last controller written to the folder's subtree_control (a real one keeps them all).
    expect(readFileSync(path.join(slice, 'socklab', 'cgroup.subtree_control'), 'utf8')).to.equal('+memory');
    // The trial cgroup got the limit files, and a process joined it.
    expect(readFileSync(path.join(slice, 'socklab', 'test-probe', 'pids.max'), 'utf8')).to.equal('1');
    expect(readFileSync(path.join(slice, 'socklab', 'test-probe', 'memory.swap.max'), 'utf8')).to.equal('0');
    expect(readFileSync(path.join(slice, 'socklab', 'test-probe', 'cgroup.procs'), 'utf8').trim()).to.match(/^\d+$/);
  });

  it('stays under its own cgroup where that hands the controllers down (a delegated subtree of its own)', () => {
    const own = cgroup('user.slice/user-1000.slice/user@1000.service/app.slice', { controllers: 'memory pids', subtree: 'memory pids' });
    const found = unifiedBase(['pids', 'memory'], 'test-probe', layoutAt('user.slice/user-1000.slice/user@1000.service/app.slice'));
    expect(found).to.include({ base: path.join(own, 'socklab') });
    expect(found).to.not.have.property('awayFrom');
  });

  it('says why a controller is not there: not offered to the cgroup, or bound to a cgroup v1 hierarchy', () => {
    writeFileSync(path.join(point, 'cgroup.controllers'), 'cpu memory');
    writeFileSync(path.join(point, 'cgroup.subtree_control'), 'cpu memory');
    const found = unifiedBase(['pids', 'memory'], 'test-probe', layoutAt(''));
    expect(found).to.deep.include({ base: path.join(point, 'socklab'), controllers: ['memory'], missing: { pids: `pids is not available to ${point} (not in its cgroup.controllers)` } });

    const hybrid = new Map([['pids', { point: '/sys/fs/cgroup/pids', own: '/sys/fs/cgroup/pids', ownPath: '/' }]]);
    expect(unifiedBase(['pids', 'memory'], 'test-probe-2', layoutAt('', hybrid))).to.deep.include({ missing: { pids: 'pids is bound to the cgroup v1 hierarchy at /sys/fs/cgroup/pids' } });
  });

  it('without a cgroup v2 hierarchy, or with its own cgroup outside the mounted part, says so', () => {
    expect(unifiedBase(['pids'], 'test-probe', { v1: new Map(), unified: null })).to.deep.equal({ reason: 'no cgroup v2 hierarchy mounted' });
    expect(unifiedBase(['pids'], 'test-probe', { v1: new Map(), unified: { point, own: null, ownPath: '/elsewhere' } })).to.deep.equal({ reason: 'own cgroup v2 /elsewhere is outside the mounted part' });
    expect(existsSync(path.join(point, 'socklab'))).to.equal(false);
  });
});
