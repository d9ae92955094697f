// SIGTERM to socklab in the middle of a run of hostile programs (SIGINT is tested in cli.test.ts): the
// reports of what finished are written, every program is gone (a daemon that left its process group
// and dropped its tag, a fork bomb, a program that ignores SIGTERM), no cgroup is left, and it exits 130.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { RunResult } from '../../harness/model/result.js';
import { findTaggedProcesses } from '../../harness/process/process-sweep.js';
import { cgroupsOf, daemonPid, hostileLab, portIsFree } from '../fixtures/hostile/hostile-lab.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { isAlive } from '../support/processes.js';

describe('socklab under SIGTERM (end to end)', function () {
  this.timeout(120_000);
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  it('writes the reports of what finished, leaves no process or cgroup behind, and exits 130', async () => {
    const lab = hostileLab(temp);
    temp.write(
      'specs/terminate.yaml',
      `- id: quick
  title: finishes at once
  steps:
    - run: sleeper
      timeout: 200ms
      expect: { timedOut: true }
- id: long
  title: hostile programs still running when socklab is told to stop
  limits: { processes: 32 }
  steps:
    - start: stubborn
      ready: { stdout: stubborn }
    - start: daemon
      args: ["{{ports.daemon}}"]
    - start: fork-bomb
      ready: { stdout: forking }
    - run: sleeper
      timeout: 60s
`,
    );
    const out = path.join(temp.path, 'reports');
    const programsInLong = 4;
    let sentAt = 0;
    let poll: NodeJS.Timeout | undefined;
    const run = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', out, '--jobs', '1'], {
      timeoutMs: 90_000,
      onStart: (pid) => {
        // Every program of `long` has its two cgroups (pids, memory) once the last one was launched.
        poll = setInterval(() => {
          if (sentAt === 0 && cgroupsOf(pid).length >= 2 * programsInLong) {
            sentAt = performance.now();
            setTimeout(() => process.kill(pid, 'SIGTERM'), 500);
            clearInterval(poll);
          }
        }, 50);
      },
    });
    clearInterval(poll);
    expect(sentAt, run.stdout + run.stderr).to.be.greaterThan(0);
    // A bound, not a speed target: the grace period of the stubborn service, teardown, reports.
    expect(performance.now() - sentAt).to.be.lessThan(20_000);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(130);
    expect(run.stderr).to.contain('SIGTERM received');

    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
    expect(results.status).to.equal('interrupted');
    expect(results.experiments.map((experiment) => [experiment.id, experiment.status])).to.deep.equal([
      ['quick', 'passed'],
      ['long', 'interrupted'],
    ]);
    const xml = readFileSync(path.join(out, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).to.equal(true);
    expect((new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { testsuites: { tests: string } }).testsuites.tests).to.equal('2');
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).to.contain('long');

    const long = results.experiments[1];
    const pids = long.steps.map((step) => step.process?.pid).filter((pid): pid is number => typeof pid === 'number');
    expect(pids).to.have.length(programsInLong);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).to.equal(false);
    const daemon = daemonPid(long.steps[1].process?.stdout ?? '');
    expect(daemon, JSON.stringify(long.steps[1])).to.be.greaterThan(0);
    expect(isAlive(daemon), `daemon ${daemon}`).to.equal(false);
    expect(await portIsFree(long.ports.daemon)).to.equal(true);
    expect(findTaggedProcesses(`${run.pid}-`)).to.deep.equal([]);
    expect(cgroupsOf(run.pid)).to.deep.equal([]);
  });
});
