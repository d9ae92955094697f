// Process control against tiny fixture programs: exits, hangs, ignores SIGTERM, forks a grandchild
// that holds stdout (inside and outside the process group), floods stdout.
import { expect } from 'chai';
import os from 'node:os';
import { Program } from '../../harness/process/program.js';
import { findTaggedProcesses } from '../../harness/process/process-sweep.js';
import { fixtureProgram } from '../support/paths.js';
import { isAlive, waitUntilGone } from '../support/processes.js';

let counter = 0;
const newTag = () => `test-${process.pid}-${Date.now()}-${counter++}`;

function launch(script: string, args: string[] = [], extra: { stdin?: string; outputCapBytes?: number; tag?: string } = {}): Program {
  return new Program({
    command: [process.execPath, fixtureProgram(script), ...args],
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '' },
    stdin: extra.stdin,
    tag: extra.tag ?? newTag(),
    outputCapBytes: extra.outputCapBytes,
  });
}

describe('Program (process control)', function () {
  this.timeout(15_000);

  it('reports the exit code and output of a program that exits by itself', async () => {
    const program = launch('exit-code.mjs', ['3', 'a', 'b']);
    const exit = await program.waitForExit(5000);
    await program.stop();
    const result = program.result({ stillRunning: false });
    expect(exit).to.deep.equal({ exitCode: 3, signal: null });
    expect(result).to.include({ exitCode: 3, timedOut: false, killed: false, stdout: 'args: 3 a b\n', stdoutTruncated: false });
  });

  it('feeds stdin and closes it', async () => {
    const program = launch('echo-stdin.mjs', [], { stdin: 'hello\nworld\n' });
    await program.waitForExit(5000);
    await program.stop();
    expect(program.result({ stillRunning: false })).to.include({ exitCode: 0, stdout: 'hello\nworld\n' });
  });

  it('stops a program that would run forever with SIGTERM', async () => {
    const program = launch('sleep-forever.mjs');
    expect(await program.waitForExit(300)).to.equal(null);
    await program.stop(2000);
    const result = program.result({ stillRunning: true });
    expect(result).to.include({ exitCode: null, signal: 'SIGTERM', killed: true, stillRunning: true });
    expect(isAlive(program.pid!)).to.equal(false);
  });

  it('kills a program that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const program = launch('ignore-sigterm.mjs');
    await program.stdoutLine(/stubborn/, 3000);
    const started = Date.now();
    await program.stop(300);
    expect(program.result({ stillRunning: true })).to.include({ signal: 'SIGKILL', killed: true });
    expect(program.stdout.text()).to.contain('ignoring SIGTERM');
    expect(Date.now() - started).to.be.lessThan(3000);
  });

  it('kills a grandchild that stays in the process group and holds stdout', async () => {
    const program = launch('fork-grandchild.mjs');
    await program.waitForExit(5000);
    await program.stop();
    const grandchild = Number(/grandchild (\d+)/.exec(program.stdout.text())?.[1]);
    expect(grandchild).to.be.greaterThan(0);
    expect(await waitUntilGone(grandchild)).to.equal(true);
  });

  it('finds and kills a grandchild that left the process group (setsid), by its tag', async () => {
    const tag = newTag();
    const program = launch('fork-grandchild.mjs', ['escape'], { tag });
    await program.waitForExit(5000);
    const grandchild = Number(/grandchild (\d+)/.exec(program.stdout.text())?.[1]);
    expect(findTaggedProcesses(tag)).to.include(grandchild);
    await program.stop();
    expect(await waitUntilGone(grandchild)).to.equal(true);
    expect(findTaggedProcesses(tag)).to.deep.equal([]);
  });

  it('caps a flood of output, marks it truncated, and still stops the program', async () => {
    const program = launch('flood-stdout.mjs', [], { outputCapBytes: 100_000 });
    await program.waitForExit(500);
    await program.stop(500);
    const result = program.result({ stillRunning: true });
    expect(result.stdout.length).to.equal(100_000);
    expect(result.stdoutTruncated).to.equal(true);
    expect(result.stdoutBytes).to.be.greaterThan(100_000);
    expect(isAlive(program.pid!)).to.equal(false);
  });

  it('reports a missing program as a spawn error with what to do', async () => {
    const program = new Program({ command: ['no-such-program-socklab'], cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '' }, tag: newTag() });
    await program.exited;
    await program.stop();
    const result = program.result({ stillRunning: false });
    expect(result.spawnError).to.deep.equal({ code: 'ENOENT', message: 'program not found: no-such-program-socklab (is it installed and on PATH?)' });
  });
});
