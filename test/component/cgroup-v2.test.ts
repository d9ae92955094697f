// cgroup v2 against the real kernel, in the hierarchy this machine has: every program in a cgroup v2
// of its own (joined before its first instruction) and, on a hybrid machine, in v1 groups for the
// controllers bound to v1; cgroup.kill ending a daemon that only its cgroup still ties to the run; the
// groups removed, and those of a dead harness swept; a harness in a nested cgroup making its folder
// under its own, as root, as a user the subtree was delegated to, and as a user it was not (the
// fallback notes say why). No fake cgroup file system: where the machine has no cgroup v2 that socklab
// can write, the tests are pending.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Program } from '../../harness/process/program.js';
import { describeLimits, limitSupport, overrideLimitSupport, type LimitSupport } from '../../harness/process/limit-support.js';
import { cgroupLayout } from '../../harness/process/cgroup-layout.js';
import { createGroup, groupsOf, members, sweepStaleGroups } from '../../harness/process/cgroup-groups.js';
import { hostileDir } from '../fixtures/hostile/hostile-lab.js';
import { isAlive, waitUntilGone } from '../support/processes.js';
import { allocatePort, releasePorts } from '../../harness/plan/allocate-ports.js';
import type { ResourceLimits } from '../../harness/process/resource-limits.js';

const env = { PATH: process.env.PATH ?? '' };
let counter = 0;
const tag = () => `cgroup-v2-${process.pid}-${counter++}`;

/** The cgroups a program is in, as it sees them itself: `{ '0': '/socklab/…', pids: '/socklab/…' }`. */
function ownGroups(text: string): Record<string, string> {
  const groups: Record<string, string> = {};
  for (const line of text.split('\n').filter(Boolean)) {
    const [id, controllers, ...rest] = line.split(':');
    groups[controllers || id] = rest.join(':');
  }
  return groups;
}

async function outputOf(command: string[]): Promise<{ stdout: string; notes: string[] }> {
  const program = new Program({ command, cwd: '/tmp', env, tag: tag() });
  await program.waitForExit(10_000);
  await program.stop();
  const result = program.result({ stillRunning: false });
  expect(result.exitCode, result.stderr).to.equal(0);
  return { stdout: result.stdout, notes: program.limitNotes };
}

describe('cgroup v2 (on this machine\'s own hierarchy)', function () {
  this.timeout(180_000);
  let support: LimitSupport;
  let unified: NonNullable<LimitSupport['unified']>;

  before(function () {
    support = limitSupport();
    // Pending, not failed, on a machine without a writable cgroup v2: there is nothing real to test.
    if (!support.unified) this.skip();
    unified = support.unified;
  });
  afterEach(() => overrideLimitSupport(null));

  it('puts every program in a cgroup v2 of its own before its first instruction, beside the v1 groups of the controllers v2 lacks', async () => {
    const { stdout, notes } = await outputOf(['cat', '/proc/self/cgroup']);
    const groups = ownGroups(stdout);
    const layout = cgroupLayout();
    if ('reason' in layout) throw new Error(layout.reason);
    // /proc/self/cgroup names the cgroup from the hierarchy's root, the folder from the mount point.
    const relative = path.relative(layout.unified!.point, unified.base);
    expect(groups['0']).to.match(new RegExp(`^/${relative}/${process.pid}-\\d+$`));
    for (const controller of ['pids', 'memory'] as const) {
      if (unified.controllers.includes(controller)) expect(groups[controller] ?? '', controller).to.not.match(/socklab/);
      else if (support.cgroups[controller]) expect(groups[controller], controller).to.match(new RegExp(`/socklab/${process.pid}-\\d+$`));
    }
    expect(notes).to.deep.equal([]);
  });

  it('says, for the run\'s record, where each limit is held and why cgroup v2 does not hold one', function () {
    const layout = cgroupLayout();
    if ('reason' in layout) throw new Error(layout.reason);
    const line = describeLimits(support);
    expect(line).to.match(new RegExp(`^cgroup v2 \\(${unified.base}.*\\): a cgroup per program`));
    expect(line).to.contain(unified.kill ? 'killed with cgroup.kill' : 'killed by listing cgroup.procs');
    // On a hybrid machine such as this one, each controller bound to v1 is named with its hierarchy.
    for (const [controller, hierarchy] of layout.v1) {
      if (controller !== 'pids' && controller !== 'memory') continue;
      expect(line).to.contain(`${controller}: cgroup v1 (${support.cgroups[controller]}; not in cgroup v2: ${controller} is bound to the cgroup v1 hierarchy at ${hierarchy.point})`);
    }
  });

  it('ends a daemon that left the process group and dropped its tag, through its cgroup v2 alone (no v1 groups)', async () => {
    overrideLimitSupport({ ...support, cgroups: {}, missing: { pids: 'left out by this test', memory: 'left out by this test' } });
    const port = await allocatePort();
    const program = new Program({ command: [process.execPath, path.join(hostileDir, 'daemonize.mjs'), String(port)], cwd: '/tmp', env, tag: tag() });
    try {
      await program.waitForExit(10_000);
      const daemon = Number(/daemon (\d+) started/.exec(program.stdout.text())?.[1]);
      expect(daemon, program.stderr.text()).to.be.greaterThan(0);
      const daemonGroups = ownGroups(readFileSync(`/proc/${daemon}/cgroup`, 'utf8'));
      expect(daemonGroups['0']).to.match(new RegExp(`/socklab/${process.pid}-\\d+$`));
      expect(readFileSync(`/proc/${daemon}/environ`, 'utf8')).to.not.contain('SOCKLAB_TAG');
      expect(isAlive(daemon)).to.equal(true);
      await program.stop();
      expect(await waitUntilGone(daemon)).to.equal(true);
    } finally {
      releasePorts([port]);
    }
    expect(groupsOf(unified.base, process.pid)).to.deep.equal([]);
  });

  it('holds the pids and memory limits in cgroup v2 where it has those controllers: forks refused, a hog killed, each said', async function () {
    // A hybrid machine binds both to cgroup v1 (tested there by hostile-limits); scripts/cgroup2-vm.sh runs this in a VM that has them.
    if (!unified.controllers.includes('pids') || !unified.controllers.includes('memory')) this.skip();
    const limited = (command: string[], limits: Partial<ResourceLimits>) => new Program({ command, cwd: '/tmp', env, tag: tag(), limits });
    const bomb = limited(['sh', '-c', 'i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done; echo all forked'], { processes: 16 });
    await bomb.waitForExit(30_000);
    await bomb.stop();
    expect(bomb.result({ stillRunning: false }).stdout).to.not.contain('all forked');
    expect(bomb.limitNotes.join('\n')).to.match(/process limit \(16\) reached: \d+ forks? refused/);

    const hog = limited([process.execPath, '-e', 'const kept = []; for (;;) kept.push(Buffer.alloc(16 * 1024 * 1024, 1));'], { memoryBytes: 128 * 1024 * 1024 });
    await hog.waitForExit(30_000);
    await hog.stop();
    expect(hog.result({ stillRunning: false }).signal).to.equal('SIGKILL');
    expect(hog.limitNotes.join('\n')).to.match(/memory limit \(128 MiB\) reached: the kernel killed/);
    expect(groupsOf(unified.base, process.pid)).to.deep.equal([]);
  });

  it('sweeps the cgroups a dead harness left, killing what still runs in them', async () => {
    const dead = spawnSync('true').pid!;
    const stale = createGroup(unified.base, `${dead}-0`, []);
    const sleeper = spawn('/bin/sh', ['-c', 'echo $$ > "$1"; exec sleep 60', 'sh', path.join(stale, 'cgroup.procs')], { stdio: 'ignore', detached: true });
    try {
      for (let waited = 0; waited < 5000 && members(stale).length === 0; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(members(stale)).to.deep.equal([sleeper.pid]);
      await sweepStaleGroups(unified.base);
      expect(existsSync(stale)).to.equal(false);
      expect(await waitUntilGone(sleeper.pid!)).to.equal(true);
    } finally {
      if (isAlive(sleeper.pid!)) process.kill(sleeper.pid!, 'SIGKILL');
    }
  });

  describe('from a nested cgroup of its own', function () {
    let outer: string;
    let inner: string;
    before(function () {
      const layout = cgroupLayout();
      if ('reason' in layout || !layout.unified?.own) this.skip();
      outer = createGroup(path.dirname(unified.base), `socklab-test-${process.pid}`, []);
      inner = createGroup(outer, 'inner', []);
    });
    // Each test's harness makes its own `socklab` folder (socklab never removes one): it goes after each.
    afterEach(() => {
      if (inner && existsSync(path.join(inner, 'socklab'))) rmdirSync(path.join(inner, 'socklab'));
    });
    after(() => {
      // The outer cgroup's own `socklab` folder, where a probe put it (controllers enabled in outer).
      for (const dir of [inner, path.join(outer ?? '', 'socklab'), outer]) if (dir && existsSync(dir)) rmdirSync(dir);
    });

    it('as root: makes its folder under its own cgroup where no cgroup above hands a controller down, else under the closest that does', async () => {
      // Where this hierarchy has pids or memory, the outer cgroup (without processes) hands them down,
      // as systemd's slices do; the inner one holds the harness, so cgroup v2 lets it hand none down.
      for (const controller of unified.controllers) writeFileSync(path.join(outer, 'cgroup.subtree_control'), `+${controller}`);
      const { support: found, cgroup } = await probeIn(inner, null);
      if (unified.controllers.length === 0) {
        expect(found.unified?.base).to.equal(path.join(inner, 'socklab'));
        expect(cgroup).to.match(new RegExp(`/socklab-test-${process.pid}/inner/socklab/\\d+-0$`));
      } else {
        expect(found.unified).to.deep.include({ base: path.join(outer, 'socklab'), controllers: unified.controllers, awayFrom: inner });
        expect(cgroup).to.match(new RegExp(`/socklab-test-${process.pid}/socklab/\\d+-0$`));
        expect(describeLimits(found)).to.contain(`(not under socklab's own cgroup ${inner}, which holds processes)`);
      }
    });

    it('as a user the subtree is delegated to (its folder and files chowned): the same, and the v1 controllers it cannot write fall back with a note', async () => {
      for (const file of ['', 'cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control']) chownSync(path.join(inner, file), 65534, 65534);
      try {
        const { support: found, cgroup, notes } = await probeIn(inner, 65534);
        expect(found.root).to.equal(false);
        expect(found.unified?.base).to.equal(path.join(inner, 'socklab'));
        expect(cgroup).to.match(new RegExp(`/inner/socklab/\\d+-0$`));
        for (const controller of ['pids', 'memory'] as const) {
          if (support.cgroups[controller]) expect(found.missing[controller], controller).to.match(/cannot write .* \(EACCES, not root\)$/);
        }
        if (support.cgroups.pids) expect(notes.join('\n')).to.contain('processes limited per user by RLIMIT_NPROC, not per program (pids cgroup: cgroup v2: pids is bound to the cgroup v1 hierarchy at');
      } finally {
        for (const file of ['', 'cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control']) chownSync(path.join(inner, file), 0, 0);
      }
    });

    it('as a user it is not delegated to: no cgroup v2, and the notes say it cannot write there', async () => {
      const { support: found, cgroup, notes } = await probeIn(inner, 65534);
      expect(found.unified).to.equal(undefined);
      expect(found.notInUnified?.groups).to.equal(`cannot write ${inner} (EACCES, not root)`);
      expect(cgroup).to.match(/\/inner$/);
      expect(notes).to.have.length(1);
      expect(notes[0]).to.match(/^resource limits fall back: processes limited per user by RLIMIT_NPROC/);
    });
  });
});

/**
 * Runs a harness (a node process using socklab's process layer) in cgroup `dir`, as `uid` (null: root),
 * and returns what it found and the cgroup v2 a program it started was in.
 */
async function probeIn(dir: string, uid: number | null): Promise<{ support: LimitSupport; cgroup: string; notes: string[] }> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const modules = (name: string) => JSON.stringify(path.resolve(here, '../../harness/process', name));
  const script = `
    const { limitSupport } = await import(${modules('limit-support.js')});
    const { Program } = await import(${modules('program.js')});
    const program = new Program({ command: ['cat', '/proc/self/cgroup'], cwd: '/tmp', env: { PATH: process.env.PATH }, tag: 'cgroup-v2-probe-' + process.pid });
    await program.waitForExit(10000);
    await program.stop();
    const result = program.result({ stillRunning: false });
    console.log(JSON.stringify({ support: limitSupport(), stdout: result.stdout, stderr: result.stderr, notes: program.limitNotes }));`;
  const user = uid === null ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
  const run = spawnSync('/bin/sh', ['-c', 'echo $$ > "$1"; shift; exec "$@"', 'sh', path.join(dir, 'cgroup.procs'), ...user, process.execPath, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    // Generous: an emulated VM (scripts/cgroup2-vm.sh) on a busy machine takes tens of seconds to start node.
    timeout: 120_000,
    cwd: '/tmp',
  });
  expect(run.status, run.stderr).to.equal(0);
  const found = JSON.parse(run.stdout) as { support: LimitSupport; stdout: string; stderr: string; notes: string[] };
  const cgroup = ownGroups(found.stdout)['0'];
  expect(cgroup, found.stderr).to.be.a('string');
  return { support: found.support, cgroup, notes: found.notes };
}
