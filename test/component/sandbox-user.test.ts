// Containment beyond files (sandbox.ts, sandbox-user.ts), against real programs: a confined program
// runs as an unprivileged user of its own, in a PID namespace of its own, with its experiment's /tmp;
// the harness's process model still holds (the grace period, deaths by signal, readiness found from
// outside, nothing left behind), and without a pids cgroup RLIMIT_NPROC of that user bounds forks.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Program } from '../../harness/process/program.js';
import { limitSupport, overrideLimitSupport, tasksPerUser } from '../../harness/process/limit-support.js';
import { ownListeningPorts } from '../../harness/process/proc-sockets.js';
import type { SandboxRequest } from '../../harness/process/sandbox.js';
import type { ResourceLimits } from '../../harness/process/resource-limits.js';
import { sandboxSupport } from '../../harness/process/sandbox-support.js';
import { FIRST_SANDBOX_UID, chownTree, leaseSandboxUser, releaseSandboxUser, type SandboxUser } from '../../harness/process/sandbox-user.js';
import { TempDir } from '../support/temp-dir.js';
import { waitUntilGone } from '../support/processes.js';
import { needsTool } from '../support/tools.js';

let counter = 0;
const started: Program[] = [];

function confined(command: string[], request: SandboxRequest, limits?: Partial<ResourceLimits>): Program {
  const program = new Program({ command, cwd: request.cwd, env: { PATH: process.env.PATH ?? '' }, tag: `sandbox-user-test-${process.pid}-${counter++}`, sandbox: request, limits });
  started.push(program);
  return program;
}

function node(script: string, request: SandboxRequest, args: string[] = []): Program {
  return confined([process.execPath, '-e', script, ...args], request);
}

async function finish(program: Program): Promise<{ stdout: string; stderr: string; exitCode: number | null; signal: string | null }> {
  await program.waitForExit(15_000);
  await program.stop();
  const { stdout, stderr, exitCode, signal } = program.result({ stillRunning: false });
  return { stdout, stderr, exitCode, signal };
}

describe('sandbox users and PID namespaces', function () {
  this.timeout(60_000);
  let temp: TempDir;
  let user: SandboxUser;
  /** A folder of the user's own (its working copy) and a /tmp of its experiment. */
  let mine: string;
  let tmp: string;
  let request: () => SandboxRequest;
  before(function () {
    needsTool(this, 'bwrap');
    if (!sandboxSupport().setpriv) this.skip();
  });
  beforeEach(() => {
    temp = new TempDir();
    user = leaseSandboxUser();
    mine = path.join(temp.path, 'mine');
    tmp = path.join(temp.path, 'tmp');
    mkdirSync(mine);
    mkdirSync(tmp);
    chownTree(temp.path, user);
    request = () => ({ writable: [mine], cwd: mine, tmp, user });
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((program) => program.stop(500)));
    releaseSandboxUser(user);
    overrideLimitSupport(null);
    temp.remove();
  });

  it('leases users of its own range, none twice at once, none root or an account of /etc/passwd', () => {
    const other = leaseSandboxUser();
    try {
      expect(other.uid).to.not.equal(user.uid);
      for (const lent of [user, other]) {
        expect(lent.uid).to.be.at.least(FIRST_SANDBOX_UID).and.below(2 ** 31);
        expect(lent.gid).to.equal(lent.uid);
      }
      const accounts = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => Number(line.split(':')[2]));
      expect(accounts).to.not.include(user.uid);
    } finally {
      releaseSandboxUser(other);
    }
    const again = leaseSandboxUser();
    releaseSandboxUser(again);
    expect(again.uid, 'the lowest free one comes back').to.equal(Math.min(other.uid, again.uid));
  });

  it('runs as that user: no capabilities, no supplementary groups, /etc/shadow unreadable, its files its own', async () => {
    const script = `const fs = require('node:fs');
      const status = fs.readFileSync('/proc/self/status', 'utf8');
      const field = (name) => new RegExp('^' + name + ':\\\\s*(.*)$', 'm').exec(status)[1].trim();
      let shadow = 'read';
      try { fs.readFileSync('/etc/shadow'); } catch (error) { shadow = error.code; }
      fs.writeFileSync('out.txt', 'x');
      fs.writeFileSync('/tmp/scratch.txt', 'x');
      console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), groups: process.getgroups(), capEff: field('CapEff'), capBnd: field('CapBnd'), noNewPrivs: field('NoNewPrivs'), shadow, home: process.env.HOME, tmpdir: process.env.TMPDIR }));`;
    const { stdout, stderr, exitCode } = await finish(node(script, request()));
    expect(exitCode, stderr).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal({ uid: user.uid, gid: user.gid, groups: [user.gid], capEff: '0000000000000000', capBnd: '0000000000000000', noNewPrivs: '1', shadow: 'EACCES', home: '/tmp', tmpdir: '/tmp' });
    // node reports the primary group among the groups; setpriv cleared the supplementary ones.
    expect(statSync(path.join(mine, 'out.txt')).uid).to.equal(user.uid);
    expect(readFileSync(path.join(tmp, 'scratch.txt'), 'utf8'), 'its /tmp is the experiment\'s folder').to.equal('x');
  });

  it('sees only its own processes, and cannot signal the harness or the sandbox around it', async () => {
    const script = `const fs = require('node:fs');
      const seen = fs.readdirSync('/proc').filter((entry) => /^\\d+$/.test(entry)).map((pid) => fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0')[0]);
      const signal = (pid) => { try { process.kill(pid, 0); return 'ok'; } catch (error) { return error.code; } };
      console.log(JSON.stringify({ self: process.pid, seen, harness: signal(Number(process.argv[1])), init: signal(1) }));`;
    const { stdout, stderr, exitCode } = await finish(node(script, request(), [String(process.pid)]));
    expect(exitCode, stderr).to.equal(0);
    const seen = JSON.parse(stdout) as { self: number; seen: string[]; harness: string; init: string };
    // Its namespace holds bwrap's init (pid 1) and the program (pid 2).
    expect(seen.self).to.equal(2);
    expect(seen.seen.map((file) => path.basename(file))).to.deep.equal(['bwrap', path.basename(process.execPath)]);
    expect(seen.harness, 'the harness is not in its namespace').to.equal('ESRCH');
    expect(seen.init, 'the init is root').to.equal('EPERM');
  });

  it('keeps the process model: SIGTERM reaches the program for its grace period, signals and exit codes come back', async () => {
    const graceful = node("process.on('SIGTERM', () => { console.log('got SIGTERM'); setTimeout(() => process.exit(3), 200); }); console.log('up'); setInterval(() => {}, 1000);", request());
    await graceful.stdoutLine(/up/, 5000);
    await graceful.stop(3000);
    expect(graceful.result({ stillRunning: true })).to.include({ exitCode: 3, signal: null, killed: true, stdout: 'up\ngot SIGTERM\n', uid: user.uid, sandboxed: true });
    expect(await finish(node("process.kill(process.pid, 'SIGABRT')", request()))).to.include({ exitCode: null, signal: 'SIGABRT' });
    expect(await finish(node('process.exit(7)', request()))).to.include({ exitCode: 7, signal: null });
    const stubborn = node("process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('up'); setInterval(() => {}, 1000);", request());
    await stubborn.stdoutLine(/up/, 5000);
    await stubborn.stop(300);
    expect(stubborn.result({ stillRunning: true })).to.include({ signal: 'SIGKILL', stdout: 'up\nignoring SIGTERM\n' });
  });

  it('is found listening from outside: readiness reads its sockets through its process group', async () => {
    const server = node("const server = require('node:net').createServer().listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));", request());
    const line = await server.stdoutLine(/^port \d+$/, 5000);
    expect(await ownListeningPorts(server.pid, 'tcp')).to.deep.equal([Number(line.split(' ')[1])]);
  });

  it('shares /tmp with the programs given the same folder (and their restarts), never with another', async () => {
    expect((await finish(node("require('node:fs').writeFileSync('/tmp/cache', 'cached')", request()))).exitCode).to.equal(0);
    const again = await finish(node("console.log(require('node:fs').readFileSync('/tmp/cache', 'utf8'))", request()));
    expect(again.stdout).to.equal('cached\n');
    const otherTmp = path.join(temp.path, 'other-tmp');
    mkdirSync(otherTmp);
    chownTree(otherTmp, user);
    const other = await finish(node("try { require('node:fs').readFileSync('/tmp/cache'); console.log('seen') } catch (error) { console.log(error.code) }", { ...request(), tmp: otherTmp }));
    expect(other.stdout).to.equal('ENOENT\n');
  });

  it('may only read a folder given as readable (a --role program\'s own), and not what is hidden in it', async () => {
    const folder = path.join(temp.path, 'role-folder');
    temp.write('role-folder/Program.py', 'print(1)\n');
    const answers = temp.write('role-folder/specs/answers.yaml', 'expected\n');
    chownTree(folder, { uid: 0, gid: 0 });
    const script = "const fs = require('node:fs'); console.log(fs.readdirSync('.').join(' ')); console.log(fs.readdirSync('specs').length); try { fs.writeFileSync('planted', 'x'); console.log('wrote'); } catch (error) { console.log(error.code); }";
    const { stdout, stderr } = await finish(node(script, { writable: [mine], readable: [folder], cwd: folder, tmp, user, hidden: [path.dirname(answers)] }));
    expect(stdout, stderr).to.match(/^Program\.py specs\n0\n(EROFS|EACCES)\n$/);
  });

  it('leaves nothing behind: a daemon dies with its namespace, and giving the user back kills whatever still runs as it', async () => {
    const daemon = confined(['sh', '-c', 'setsid sleep 300 </dev/null >/dev/null 2>&1 & echo started'], request());
    await daemon.stdoutLine(/started/, 5000);
    await daemon.stop();
    for (let waited = 0; waited < 2000 && tasksPerUser().has(user.uid); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tasksPerUser().has(user.uid), 'no process of the user is left').to.equal(false);
    // A process of that user outside any sandbox (as if it had escaped every other sweep).
    const stray = spawn('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', 'sleep', '300'], { stdio: 'ignore' });
    for (let waited = 0; waited < 2000 && !tasksPerUser().has(user.uid); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    releaseSandboxUser(user);
    expect(await waitUntilGone(stray.pid!, 2000)).to.equal(true);
    user = leaseSandboxUser();
  });

  it('keeps the limits as that user: the pids cgroup refuses forks, the memory cgroup kills, output is capped', async () => {
    const bomb = confined(['sh', '-c', 'i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done; echo all forked'], request(), { processes: 16 });
    await bomb.waitForExit(15_000);
    await bomb.stop();
    expect(bomb.result({ stillRunning: false }).stdout).to.not.contain('all forked');
    expect(bomb.limitNotes.join('\n')).to.match(/process limit \(16\) reached: \d+ forks? refused/);

    const hog = confined([process.execPath, '-e', 'const kept = []; for (;;) kept.push(Buffer.alloc(16 * 1024 * 1024, 1));'], request(), { memoryBytes: 128 * 1024 * 1024 });
    await hog.waitForExit(15_000);
    await hog.stop();
    expect(hog.result({ stillRunning: false }).signal).to.equal('SIGKILL');
    expect(hog.limitNotes.join('\n')).to.match(/memory limit \(128 MiB\) reached: the kernel killed/);

    const flood = new Program({ command: [process.execPath, '-e', "const line = 'x'.repeat(1023) + '\\n'; for (;;) process.stdout.write(line);"], cwd: mine, env: { PATH: process.env.PATH ?? '' }, tag: `sandbox-user-test-${process.pid}-${counter++}`, sandbox: request(), outputCapBytes: 64 * 1024 });
    started.push(flood);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await flood.stop();
    const flooded = flood.result({ stillRunning: true });
    expect(flooded.stdoutTruncated).to.equal(true);
    expect(flooded.stdout.length).to.be.at.most(64 * 1024);
  });

  it('without a pids cgroup, RLIMIT_NPROC of the user bounds its processes (it does not bind root), and a note says so', async () => {
    const support = limitSupport();
    const unified = support.unified && { ...support.unified, controllers: support.unified.controllers.filter((controller) => controller !== 'pids') };
    overrideLimitSupport({ ...support, unified, cgroups: { ...(support.cgroups.memory ? { memory: support.cgroups.memory } : {}) }, missing: { pids: 'cgroup v2: pids is not enabled in /sys/fs/cgroup/cgroup.subtree_control' } });
    const bomb = confined(['sh', '-c', "grep '^Max processes' /proc/self/limits; i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done; echo 'all forked'"], request(), { processes: 20 });
    const exit = await bomb.waitForExit(15_000);
    const peak = tasksPerUser().get(user.uid) ?? 0;
    await bomb.stop();
    const { stdout, stderr } = bomb.result({ stillRunning: !exit });
    expect(stdout, stderr).to.match(/^Max processes\s+20\s+20\s+processes\s*$/m);
    expect(stdout).to.not.contain('all forked');
    expect(stderr).to.match(/fork/i);
    expect(peak).to.be.at.most(20);
    expect(bomb.limitNotes.join('\n')).to.contain(`processes limited by RLIMIT_NPROC of the experiment's own user ${user.uid}, counted over its programs together`);
  });
});
