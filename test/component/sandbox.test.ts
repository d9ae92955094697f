// The filesystem sandbox (bubblewrap) around real programs: what a confined program can read and write,
// that it keeps the harness's process model (the grace period after SIGTERM, deaths by signal, spawn
// errors, cgroups and rlimits), and the fallback with a note where no sandbox can be made.
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Program } from '../../harness/process/program.js';
import { limitSupport } from '../../harness/process/limit-support.js';
import { DEFAULT_LIMITS } from '../../harness/process/resource-limits.js';
import { READ_VARIABLE, type SandboxRequest } from '../../harness/process/sandbox.js';
import { overrideSandboxSupport, sandboxSupport } from '../../harness/process/sandbox-support.js';
import { World } from '../../harness/network/world.js';
import { TempDir } from '../support/temp-dir.js';
import { isAlive } from '../support/processes.js';
import { needsTool } from '../support/tools.js';

let counter = 0;

/** Programs the running test started, stopped after it even when it failed before stopping them. */
const started: Program[] = [];

function tracked(program: Program): Program {
  started.push(program);
  return program;
}

async function stopStarted(): Promise<void> {
  await Promise.all(started.splice(0).map((program) => program.stop(500)));
}

/** Runs a node script (with `args`) in the sandbox, its folder `cwd` (read-write). */
function confined(script: string, cwd: string, extra: Partial<SandboxRequest> = {}, args: string[] = []): Program {
  return tracked(new Program({
    command: [process.execPath, '-e', script, ...args],
    cwd,
    env: { PATH: process.env.PATH ?? '' },
    tag: `sandbox-test-${process.pid}-${counter++}`,
    sandbox: { writable: [cwd], cwd, ...extra },
  }));
}

/** Runs `body` with SOCKLAB_SANDBOX_READ set to `folder` in this (the harness's) process. */
async function withSandboxRead(folder: string, body: () => Promise<void>): Promise<void> {
  const saved = process.env[READ_VARIABLE];
  process.env[READ_VARIABLE] = folder;
  try {
    await body();
  } finally {
    if (saved === undefined) delete process.env[READ_VARIABLE];
    else process.env[READ_VARIABLE] = saved;
  }
}

async function outputOf(program: Program): Promise<{ stdout: string; stderr: string; exitCode: number | null; signal: string | null }> {
  await program.waitForExit(10_000);
  await program.stop();
  const { stdout, stderr, exitCode, signal } = program.result({ stillRunning: false });
  return { stdout, stderr, exitCode, signal };
}

/** A script that tries each operation and prints {"what": "ok" | error code}. */
const PROBE = `
const fs = require('node:fs');
const tries = JSON.parse(process.argv[1]);
const seen = {};
for (const [what, op, file] of tries) {
  try { op === 'read' ? fs.readFileSync(file) : fs.writeFileSync(file, 'x'); seen[what] = 'ok'; }
  catch (error) { seen[what] = error.code; }
}
console.log(JSON.stringify(seen));`;

function probe(cwd: string, tries: Array<[string, 'read' | 'write', string]>, extra: Partial<SandboxRequest> = {}): Program {
  return confined(PROBE, cwd, extra, [JSON.stringify(tries)]);
}

describe('filesystem sandbox (bubblewrap)', function () {
  this.timeout(30_000);
  let temp: TempDir;
  before(function () {
    needsTool(this, 'bwrap');
  });
  beforeEach(() => (temp = new TempDir()));
  afterEach(async () => {
    await stopStarted();
    temp.remove();
  });

  it('works on this machine (CI installs bubblewrap)', () => {
    const support = sandboxSupport();
    expect(support.problem, 'apt-get install bubblewrap').to.equal(undefined);
    expect(support.bwrap).to.be.a('string');
  });

  it('lets a program write its own folder, read the system, and nothing else', async () => {
    const mine = path.join(temp.path, 'mine');
    mkdirSync(mine);
    const secret = temp.write('other-student/TCPServer.py', 'the answer\n');
    const hostScratch = `/tmp/socklab-sandbox-scratch-${process.pid}-${counter}`;
    const program = probe(mine, [
      ['own folder', 'write', path.join(mine, 'cache.bin')],
      ['system', 'read', '/etc/hosts'],
      ['other student', 'read', secret],
      // /tmp inside is a private tmpfs: the write lands there, never next to the real folder.
      ['next to its folder', 'write', path.join(temp.path, 'planted.txt')],
      ['socklab', 'read', path.resolve('package.json')],
      ['/usr', 'write', '/usr/planted'],
      ['root', 'write', '/planted'],
      ['private tmp', 'write', hostScratch],
    ]);
    const { stdout, stderr, exitCode } = await outputOf(program);
    expect(exitCode, stderr).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal({
      'own folder': 'ok',
      system: 'ok',
      'other student': 'ENOENT',
      'next to its folder': 'ok',
      socklab: 'ENOENT',
      '/usr': 'EROFS',
      root: 'EROFS',
      'private tmp': 'ok',
    });
    expect(program.result({ stillRunning: false }).sandboxed).to.equal(true);
    expect(readFileSync(path.join(mine, 'cache.bin'), 'utf8')).to.equal('x');
    expect(existsSync(path.join(temp.path, 'planted.txt'))).to.equal(false);
    expect(existsSync(hostScratch), 'its /tmp is its own').to.equal(false);
  });

  it('hides a hidden folder even inside a folder it may read (SOCKLAB_SANDBOX_READ)', async () => {
    const tools = path.join(temp.path, 'tools');
    const visible = temp.write('tools/visible.txt', 'shared\n');
    const answers = temp.write('tools/specs/answers.txt', 'expected output\n');
    const mine = path.join(temp.path, 'mine');
    mkdirSync(mine);
    await withSandboxRead(tools, async () => {
      const program = probe(
        mine,
        [
          ['visible', 'read', visible],
          ['answers', 'read', answers],
          ['write into the readable folder', 'write', path.join(tools, 'planted')],
        ],
        { hidden: [path.dirname(answers)] },
      );
      const { stdout } = await outputOf(program);
      expect(JSON.parse(stdout)).to.deep.equal({ visible: 'ok', answers: 'ENOENT', 'write into the readable folder': 'EROFS' });
    });
  });

  it('keeps its own folder writable when it lies inside a covered hidden folder', async () => {
    const tools = path.join(temp.path, 'tools');
    const answers = temp.write('tools/specs/answers.txt', 'expected output\n');
    const mine = path.join(path.dirname(answers), 'student');
    mkdirSync(mine);
    await withSandboxRead(tools, async () => {
      const program = probe(
        mine,
        [
          ['own folder', 'write', path.join(mine, 'out.txt')],
          ['answers next to it', 'read', answers],
          ['next to it', 'write', path.join(path.dirname(answers), 'planted')],
        ],
        { hidden: [path.dirname(answers)] },
      );
      const { stdout, stderr } = await outputOf(program);
      expect(JSON.parse(stdout), stderr).to.deep.equal({ 'own folder': 'ok', 'answers next to it': 'ENOENT', 'next to it': 'EROFS' });
    });
  });

  it('keeps the grace period: SIGTERM reaches the program, which can still finish', async () => {
    const program = confined(
      "process.on('SIGTERM', () => { console.log('got SIGTERM, saving'); setTimeout(() => process.exit(3), 200); }); console.log('up'); setInterval(() => {}, 1000);",
      temp.path,
    );
    await program.stdoutLine(/up/, 5000);
    await program.stop(3000);
    const result = program.result({ stillRunning: true });
    expect(result).to.include({ exitCode: 3, signal: null, killed: true, stdout: 'up\ngot SIGTERM, saving\n' });
  });

  it('reports deaths by signal as signals, and exit codes as exit codes', async () => {
    const aborted = await outputOf(confined("process.kill(process.pid, 'SIGABRT')", temp.path));
    expect(aborted).to.include({ exitCode: null, signal: 'SIGABRT' });
    const exited = await outputOf(confined('process.exit(5)', temp.path));
    expect(exited).to.include({ exitCode: 5, signal: null });

    const stubborn = confined("process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('up'); setInterval(() => {}, 1000);", temp.path);
    await stubborn.stdoutLine(/up/, 5000);
    await stubborn.stop(500);
    expect(stubborn.result({ stillRunning: true })).to.include({ exitCode: null, signal: 'SIGKILL', stdout: 'up\nignoring SIGTERM\n' });
    expect(isAlive(stubborn.pid!)).to.equal(false);
  });

  it('a missing program is a spawn error, not an exit of the sandbox', async () => {
    const program = tracked(new Program({ command: ['no-such-program-socklab'], cwd: temp.path, env: { PATH: '/usr/bin:/bin' }, tag: `sandbox-test-${process.pid}-${counter++}`, sandbox: { writable: [temp.path], cwd: temp.path } }));
    await program.waitForExit(5000);
    await program.stop();
    expect(program.result({ stillRunning: false }).spawnError).to.include({ code: 'ENOENT' });
  });

  it('keeps the program in its cgroups (it cannot leave them, even as root) and under its rlimits', async () => {
    const pids = limitSupport().cgroups.pids;
    const script = `const fs = require('node:fs');
      console.log(fs.readFileSync('/proc/self/cgroup', 'utf8'));
      console.log(fs.readFileSync('/proc/self/limits', 'utf8'));
      try { fs.writeFileSync(${JSON.stringify(`${path.dirname(pids ?? '/sys/fs/cgroup/pids/socklab')}/cgroup.procs`)}, String(process.pid)); console.log('left its cgroup'); }
      catch (error) { console.log('cannot leave its cgroup: ' + error.code); }`;
    const { stdout } = await outputOf(confined(script, temp.path));
    expect(stdout).to.match(new RegExp(`Max open files\\s+${DEFAULT_LIMITS.openFiles}\\s+${DEFAULT_LIMITS.openFiles}`));
    if (pids) expect(stdout).to.match(/pids:\/.*socklab\/\d+-\d+/);
    expect(stdout).to.contain('cannot leave its cgroup: EROFS');
  });

  it('works on a two-host namespace: the host names resolve and the program is on that host', async function () {
    needsTool(this, 'netns');
    const world = await World.create();
    const hosts = world.hosts;
    try {
      const program = tracked(new Program({
        command: ['sh', '-c', 'getent hosts server; ip -o -4 addr show scope global'],
        cwd: temp.path,
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
        tag: `sandbox-test-${process.pid}-${counter++}`,
        namespace: hosts.server.namespace,
        sandbox: { writable: [temp.path], cwd: temp.path },
      }));
      const { stdout, stderr, exitCode } = await outputOf(program);
      expect(exitCode, stderr).to.equal(0);
      expect(stdout).to.match(/^192\.0\.2\.1\s+server\n/);
      expect(stdout).to.contain(`inet ${hosts.server.address}/24`);
      expect(program.result({ stillRunning: false })).to.include({ namespace: hosts.server.namespace, sandboxed: true });
    } finally {
      await stopStarted();
      await world.destroy();
    }
  });
});

describe('filesystem sandbox fallback (no bubblewrap)', function () {
  this.timeout(30_000);
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(async () => {
    await stopStarted();
    temp.remove();
    overrideSandboxSupport(null);
  });

  it('without a sandbox the program runs unconfined, and a note says why', async () => {
    overrideSandboxSupport({ bwrap: null, problem: 'bubblewrap is not installed: apt-get install bubblewrap' });
    const secret = temp.write('other-student/TCPServer.py', 'the answer\n');
    const mine = path.join(temp.path, 'mine');
    mkdirSync(mine);
    const program = probe(mine, [['other student', 'read', secret]]);
    const { stdout } = await outputOf(program);
    expect(JSON.parse(stdout)).to.deep.equal({ 'other student': 'ok' });
    expect(program.result({ stillRunning: false }).sandboxed).to.equal(undefined);
    expect(program.limitNotes.join('\n')).to.contain('not sandboxed, the program could read and write any file socklab can: bubblewrap is not installed: apt-get install bubblewrap');
  });
});
