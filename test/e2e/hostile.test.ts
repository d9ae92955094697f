// Hostile programs through the real CLI: a lab whose roles are test/fixtures/hostile/ programs (fork
// bomb, endless output, a memory hog, SIGTERM ignored, a daemon, a port squatter, sleeping forever,
// closed stdout, a write outside its folder, invalid UTF-8, markup payloads), one spec that expects
// ordinary behaviour from each. Every run must end within its bounds as a clear failure (never a
// harness error), leave no process and no cgroup behind, and write complete, valid reports. The writer
// plays its role as a submission's program (`--role`, `--sandbox`), so the filesystem sandbox holds it.
import { expect } from 'chai';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ExperimentResult, ProcessResult, RunResult } from '../../harness/model/result.js';
import { findTaggedProcesses } from '../../harness/process/process-sweep.js';
import { DEFAULT_GRACE_MS } from '../../harness/process/program.js';
import { cgroupsOf, daemonPid, hostileDir, hostileLab, portIsFree } from '../fixtures/hostile/hostile-lab.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { isAlive, waitUntilGone } from '../support/processes.js';
import { needsTool } from '../support/tools.js';

const EXPERIMENT_TIMEOUT_S = 10;

function hostileSpec(outsideFiles: string[]): string {
  return `- id: fork-bomb
  title: a fork bomb is bounded by the process limit
  timeout: ${EXPERIMENT_TIMEOUT_S}s
  limits: { processes: 48 }
  steps:
    - run: fork-bomb
      timeout: 5s
      expect: { stdout: { contains: HELLO } }
- id: infinite-stdout
  title: endless output is capped
  timeout: ${EXPERIMENT_TIMEOUT_S}s
  steps:
    - run: flood
      timeout: 3s
      expect: { stdout: { contains: HELLO } }
- id: memory-hog
  title: a 1 GB allocation meets the memory limit
  timeout: ${EXPERIMENT_TIMEOUT_S}s
  limits: { memory: 96MiB }
  steps:
    - run: hog
      args: ["1000"]
      timeout: 8s
- id: ignores-sigterm
  title: a program that ignores SIGTERM is killed
  timeout: ${EXPERIMENT_TIMEOUT_S}s
  steps:
    - start: stubborn
      ready: { stdout: stubborn }
    - stop: stubborn
      expect: { running: false }
- id: daemon
  title: a server that double-forks a daemon
  timeout: ${EXPERIMENT_TIMEOUT_S}s
  steps:
    - start: daemon
      args: ["{{ports.server}}"]
      ready: { tcp: "{{ports.server}}", timeout: 3s }
    - stop: daemon
      expect: { running: true }
- id: port-squatter
  title: a program takes the port of the service that comes after it
  timeout: ${EXPERIMENT_TIMEOUT_S}s
  steps:
    - start: squatter
      args: ["{{ports.server}}"]
      ready: { tcp: "{{ports.server}}" }
    - start: server
      args: ["{{ports.server}}", "0"]
      ready: { stdout: ready, timeout: 2s }
    - stop: server
      expect: { running: true }
- id: sleeps-forever
  title: programs that never end
  timeout: ${EXPERIMENT_TIMEOUT_S}s
  steps:
    - start: sleeper
      name: background
    - run: sleeper
      timeout: 500ms
- id: closes-stdout
  title: a program that closes its output and runs on
  timeout: ${EXPERIMENT_TIMEOUT_S}s
  steps:
    - start: closer
      ready: { stdout: closing }
    - stop: closer
      expect: { running: false }
- id: writes-outside
  title: a program that writes outside its folder
  timeout: ${EXPERIMENT_TIMEOUT_S}s
  steps:
    - run: writer
      args: ${JSON.stringify(outsideFiles)}
      expect: { stdout: { contains: HELLO } }
- id: invalid-utf8
  title: invalid UTF-8 and control characters
  timeout: ${EXPERIMENT_TIMEOUT_S}s
  steps:
    - run: garbage
      expect: { stdout: { contains: HELLO } }
- id: markup
  title: script and CDATA payloads
  timeout: ${EXPERIMENT_TIMEOUT_S}s
  steps:
    - run: markup
      expect: { stdout: { contains: HELLO } }
`;
}

describe('hostile programs (end to end)', function () {
  const experiments = 11;
  const jobs = 4;
  // The bound, not a speed target: every experiment at its full deadline, one after another, plus the
  // grace period and the drain of each program, plus the CLI's own start.
  const boundMs = experiments * (EXPERIMENT_TIMEOUT_S * 1000 + 3 * DEFAULT_GRACE_MS) + 15_000;
  this.timeout(boundMs + 30_000);

  let temp: TempDir;
  let outsideFiles: string[];
  let out: string;
  let run: CliRun;
  let wallMs: number;
  let results: RunResult;
  const byId = (id: string): ExperimentResult => {
    const found = results.experiments.find((experiment) => experiment.id === id);
    expect(found, id).to.not.equal(undefined);
    return found!;
  };
  const processOf = (id: string, index = 0): ProcessResult => {
    const process = byId(id).steps[index].process;
    expect(process, `${id} step ${index + 1}`).to.not.equal(undefined);
    return process!;
  };

  // The writer runs with --sandbox, which refuses to start without a working bubblewrap.
  before(async function () {
    needsTool(this, 'bwrap');
    temp = new TempDir();
    out = path.join(temp.path, 'reports');
    const lab = hostileLab(temp);
    // Next to the test's own files, and at the top of the filesystem. (Not next to the writer's own
    // folder: where the clone lives under /tmp, that is the experiment's own /tmp in the sandbox.)
    outsideFiles = [path.join(temp.path, 'outside.txt'), `/socklab-planted-${process.pid}-${Date.now().toString(36)}`];
    temp.write('specs/hostile.yaml', hostileSpec(outsideFiles));
    const started = performance.now();
    const args = ['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', out, '--jobs', String(jobs)];
    // The writer runs from its own folder, like a student's program.
    const writer = ['--sandbox', '--role', `writer=${process.execPath} write-outside.mjs`];
    run = await runCli([...args, ...writer], { timeoutMs: boundMs + 20_000, cwd: hostileDir });
    wallMs = performance.now() - started;
    results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  });
  after(() => {
    temp?.remove();
    for (const file of outsideFiles ?? []) rmSync(file, { force: true });
  });

  it('ends within the bound from the spec timeouts, every experiment a failure and none a harness error', () => {
    expect(wallMs).to.be.lessThan(boundMs);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(1);
    expect(results.experiments.map((experiment) => [experiment.id, experiment.status])).to.deep.equal(
      ['fork-bomb', 'infinite-stdout', 'memory-hog', 'ignores-sigterm', 'daemon', 'port-squatter', 'sleeps-forever', 'closes-stdout', 'writes-outside', 'invalid-utf8', 'markup'].map((id) => [id, 'failed']),
    );
    expect(results.counts).to.include({ failed: experiments, error: 0 });
  });

  it('leaves no process of the run and none of its cgroups behind', async () => {
    expect(findTaggedProcesses(`${run.pid}-`)).to.deep.equal([]);
    expect(cgroupsOf(run.pid)).to.deep.equal([]);
    for (const experiment of results.experiments) {
      for (const step of experiment.steps) {
        if (step.process?.pid) expect(await waitUntilGone(step.process.pid, 1000), `${experiment.id}: pid ${step.process.pid}`).to.equal(true);
      }
    }
  });

  it('writes complete and valid reports, with program output escaped', () => {
    const xml = readFileSync(path.join(out, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).to.equal(true);
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { testsuites: Record<string, string> };
    expect(junit.testsuites).to.include({ tests: String(experiments), failures: String(experiments), errors: '0' });
    expect(xml).to.not.contain('<script>window');
    expect(xml).to.not.contain('<injected');
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).to.contain('&lt;script&gt;window.socklabPwned = 1&lt;/script&gt;');
    expect(html).to.not.contain('<script>window');
    expect(html).to.not.contain('<img src=x');
    expect(html).to.not.match(/[\u0000\u0007\u001b]/);
    for (const experiment of results.experiments) expect(html).to.contain(experiment.title);
  });

  it('fork bomb: the process limit refuses forks, and the bomb ends with the run', () => {
    const bomb = processOf('fork-bomb');
    expect(bomb.timedOut).to.equal(true);
    expect(bomb.stderr).to.match(/fork refused/);
    expect(byId('fork-bomb').steps[0].notes.join('\n')).to.match(/process limit \(48\) reached: \d+ forks? refused/);
  });

  it('infinite stdout: the output is capped and marked truncated', () => {
    const flood = processOf('infinite-stdout');
    expect(flood.stdoutTruncated).to.equal(true);
    expect(flood.stdoutBytes).to.be.greaterThan(flood.stdout.length);
    expect(flood.stdout.length).to.be.at.most(4 * 1024 * 1024);
    expect(readFileSync(path.join(out, 'results.json')).length).to.be.lessThan(20 * 1024 * 1024);
  });

  it('memory hog: killed by the memory limit before it got its 1 GB', () => {
    const hog = processOf('memory-hog');
    expect(hog.signal).to.equal('SIGKILL');
    expect(hog.killed, 'the kernel killed it, not the harness').to.equal(false);
    expect(hog.stdout).to.contain('allocated 16 MB');
    expect(hog.stdout).to.not.contain('got all');
    expect(byId('memory-hog').steps[0].notes.join('\n')).to.match(/memory limit \(96 MiB\) reached: the kernel killed 1 process/);
  });

  it('ignores SIGTERM: SIGKILL after the grace period', () => {
    const stubborn = processOf('ignores-sigterm', 1);
    expect(stubborn).to.include({ killed: true, signal: 'SIGKILL' });
    expect(stubborn.stdout).to.contain('ignoring SIGTERM');
  });

  it('daemon: the double-forked daemon is killed and its port is free again', async () => {
    const daemon = byId('daemon');
    const pid = daemonPid(daemon.steps.map((step) => step.process?.stdout ?? '').join(''));
    expect(pid, JSON.stringify(daemon.steps)).to.be.greaterThan(0);
    expect(isAlive(pid)).to.equal(false);
    expect(await portIsFree(daemon.ports.server)).to.equal(true);
  });

  it('port squatter: the real service fails with EADDRINUSE, a failure and not a harness error', async () => {
    const squat = byId('port-squatter');
    const server = squat.steps.map((step) => step.process).find((process) => process?.command.some((word) => word.endsWith('tcp-listen.mjs')));
    expect(server?.error?.code, JSON.stringify(squat.steps, null, 1)).to.equal('EADDRINUSE');
    expect(squat.steps.every((step) => step.status !== 'error')).to.equal(true);
    expect(await portIsFree(squat.ports.server)).to.equal(true);
  });

  it('sleeps forever: stopped at its timeout, and the background one at the end', () => {
    expect(processOf('sleeps-forever', 1)).to.include({ timedOut: true, killed: true, signal: 'SIGTERM' });
    expect(processOf('sleeps-forever', 0)).to.include({ stillRunning: true, killed: true });
  });

  it('closes stdout: still running after its output ended, stopped, with what it printed before', () => {
    const closer = processOf('closes-stdout', 1);
    expect(closer).to.include({ stillRunning: true, killed: true, signal: 'SIGTERM' });
    expect(closer.stdout).to.equal('closing stdout and stderr\n');
  });

  it('writes outside its folder: the sandbox refuses, and nothing appears outside', () => {
    const writer = processOf('writes-outside');
    expect(writer.sandboxed).to.equal(true);
    // The test's temp folder does not exist in its view of the machine (ENOENT), and its root is
    // read-only (EROFS).
    expect(writer.stdout).to.equal(`could not write ${outsideFiles[0]}: ENOENT\ncould not write ${outsideFiles[1]}: EROFS\n`);
    for (const file of outsideFiles) expect(existsSync(file), file).to.equal(false);
  });

  it('invalid UTF-8: kept byte for byte in results.json, and the reports stay valid', () => {
    const garbage = processOf('invalid-utf8');
    expect(garbage.stdoutBase64).to.be.a('string');
    const bytes = Buffer.from(garbage.stdoutBase64!, 'base64');
    expect(bytes.includes(Buffer.from([0xff, 0xfe, 0xc3, 0x28]))).to.equal(true);
    expect(garbage.stderr).to.contain('\u001b[31mred');
  });

  it('markup payloads: kept verbatim in results.json and escaped in every report', () => {
    expect(processOf('markup').stdout).to.contain('<script>window.socklabPwned = 1</script>\n]]><injected');
  });
});
