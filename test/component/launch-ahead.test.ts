// Programs started ahead of their step and held before their first instruction (program-limits.ts'
// HOLD_SCRIPT, run/launch-ahead.ts), against real processes and this machine's cgroups: a held
// program has joined its cgroups and has not run; released, it runs with its input and output as any
// other; discarded, or orphaned by a socklab that died, it never runs and leaves nothing behind.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Program, type LaunchOptions } from '../../harness/process/program.js';
import { limitSupport, overrideLimitSupport } from '../../harness/process/limit-support.js';
import { LaunchAhead } from '../../harness/run/launch-ahead.js';
import { liveGroups } from '../../harness/process/live-groups.js';
import { isAlive, waitUntilGone } from '../support/processes.js';

/** A program that leaves a mark file when it runs (so not running is visible), then echoes its stdin. */
const MARK_AND_ECHO = "require('fs').writeFileSync(process.argv[1], String(process.pid)); process.stdin.pipe(process.stdout);";

describe('programs started ahead and held (launch ahead)', function () {
  this.timeout(20_000);
  const holds = Object.keys(limitSupport().cgroups).length > 0 || limitSupport().unified !== undefined;
  let dir: string;
  let counter = 0;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'socklab-ahead-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options = (extra: Partial<LaunchOptions> = {}): LaunchOptions => ({
    command: [process.execPath, '-e', MARK_AND_ECHO, path.join(dir, `ran-${counter++}`)],
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
    stdin: 'hello from the step\n',
    tag: `test-ahead-${process.pid}-${counter}`,
    ...extra,
  });
  const markOf = (program: Program) => program.command[3];
  const cgroupsOf = (pid: number) => readFileSync(`/proc/${pid}/cgroup`, 'utf8');

  it('holds a program in its cgroups before its first instruction, and runs it with its input once released', async function () {
    const program = new Program({ ...options(), hold: true });
    try {
      if (!holds) {
        // Without a cgroup to join, holding saves nothing: it runs at once.
        expect(program.held).to.equal(false);
        return;
      }
      expect(program.held).to.equal(true);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(program.running, 'the held wrapper waits').to.equal(true);
      expect(existsSync(markOf(program)), 'the program has not run').to.equal(false);
      expect(cgroupsOf(program.pid!)).to.match(/socklab\//);
      program.release();
      expect(await program.waitForExit(10_000)).to.deep.equal({ exitCode: 0, signal: null });
      expect(readFileSync(markOf(program), 'utf8'), 'it ran as the process socklab holds').to.equal(String(program.pid));
      expect(program.stdout.text()).to.equal('hello from the step\n');
    } finally {
      await program.stop();
    }
  });

  it('releases the held program only when the step asks for exactly that launch, and discards it otherwise', async () => {
    const ahead = new LaunchAhead();
    const first = options();
    ahead.prepare(first);
    const taken = ahead.take({ ...first, env: { ...first.env } });
    try {
      if (holds) expect(taken, 'the same launch is released').to.be.instanceOf(Program);
      else expect(taken, 'nothing is held where holding saves nothing').to.equal(undefined);
      if (taken) expect(await taken.waitForExit(10_000)).to.deep.equal({ exitCode: 0, signal: null });
    } finally {
      await taken?.stop();
    }

    const second = options();
    ahead.prepare(second);
    const changed = { ...second, env: { ...second.env, SHARED: 'by a step since' } };
    expect(ahead.take(changed), 'another environment is another launch').to.equal(undefined);
    await ahead.discard();
    expect(existsSync(second.command[3]), 'the discarded program never ran').to.equal(false);
  });

  it('starts nothing ahead where holding saves nothing (no cgroup to join): the program runs only when its step launches it', async () => {
    const real = limitSupport();
    overrideLimitSupport({ ...real, cgroups: {}, unified: undefined, missing: { pids: 'none here', memory: 'none here' } });
    const ahead = new LaunchAhead();
    try {
      const launch = options();
      const groups = new Set(liveGroups);
      ahead.prepare(launch);
      // A program started now would be one more process group (registered as it is spawned).
      expect([...liveGroups].filter((pid) => !groups.has(pid)), 'prepare started no process').to.deep.equal([]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(existsSync(launch.command[3]), 'prepare ran nothing').to.equal(false);
      expect(ahead.take(launch), 'nothing held to take').to.equal(undefined);
    } finally {
      await ahead.discard();
      overrideLimitSupport(real);
    }
  });

  it('discards a held program at teardown: it never runs, and neither it nor its cgroups remain', async function () {
    if (!holds) this.skip();
    const ahead = new LaunchAhead();
    const launch = options();
    ahead.prepare(launch);
    try {
      const mark = launch.command[3];
      // The held wrapper, once it has joined its cgroups (it writes itself into them as it starts).
      let pids: number[] = [];
      let groups: string[] = [];
      for (const deadline = Date.now() + 10_000; groups.length === 0 && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
        pids = execFileSync('pgrep', ['-f', mark], { encoding: 'utf8' }).trim().split('\n').map(Number);
        groups = pids.flatMap((pid) => cgroupsOf(pid).split('\n').flatMap((line) => /:(\/.*socklab\/[^/]+)$/.exec(line)?.[1] ?? []));
      }
      expect(groups, 'it joined cgroups of its own').to.not.be.empty;
      await ahead.discard();
      for (const pid of pids) expect(await waitUntilGone(pid), `held wrapper ${pid} gone`).to.equal(true);
      expect(existsSync(mark), 'it never ran').to.equal(false);
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').flatMap((line) => (/ - cgroup2? /.test(line) ? [line.split(' ')[4]] : []));
      for (const group of groups) for (const mount of mounts) expect(existsSync(path.join(mount, group)), `${mount}${group} removed`).to.equal(false);
    } finally {
      await ahead.discard();
    }
  });

  it('a held program whose socklab dies never runs: the wrapper reads end-of-file and exits', async function () {
    if (!holds) this.skip();
    const mark = path.join(dir, 'orphan-ran');
    const programModule = new URL('../../harness/process/program.js', import.meta.url).href;
    // A socklab of its own that holds a program, prints its pid, and dies without releasing it.
    const script = `
      const { Program } = await import(${JSON.stringify(programModule)});
      const program = new Program({ command: [process.execPath, '-e', ${JSON.stringify(MARK_AND_ECHO)}, ${JSON.stringify(mark)}], cwd: ${JSON.stringify(dir)}, env: { PATH: process.env.PATH }, tag: 'test-orphan-${process.pid}', hold: true });
      process.stdout.write(String(program.pid) + ' ' + program.held + '\\n');
      setTimeout(() => process.exit(0), 300);`;
    const [pid, held] = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim().split(' ');
    expect(held).to.equal('true');
    expect(await waitUntilGone(Number(pid), 5000), 'the orphaned wrapper exits').to.equal(true);
    expect(isAlive(Number(pid))).to.equal(false);
    expect(existsSync(mark), 'the program never ran').to.equal(false);
  });
});
