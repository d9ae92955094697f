// The CLI end to end: inline YAML written to a temp folder, the real harness, real processes, and the
// JUnit XML and results.json it writes, parsed and checked.
import { expect } from 'chai';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { RunResult } from '../../harness/model/result.js';
import { findTaggedProcesses } from '../../harness/process/process-sweep.js';
import { repoRoot } from '../support/paths.js';
import { fixtureLab } from '../support/fixture-lab.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';
import { isAlive } from '../support/processes.js';

function readResults(dir: string): RunResult {
  return JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResult;
}

function readJunit(dir: string) {
  const xml = readFileSync(path.join(dir, 'junit.xml'), 'utf8');
  expect(XMLValidator.validate(xml)).to.equal(true);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
    testsuites: { tests: string; failures: string; errors: string; testsuite: unknown };
  };
}

describe('socklab CLI (end to end)', function () {
  this.timeout(120_000);
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  it('runs passing and failing experiments, exits 1, and writes JUnit with failures and program output', async () => {
    const lab = fixtureLab(temp);
    temp.write(
      'specs/mixed.yaml',
      `- id: passes
  title: exit code and stdin are checked
  steps:
    - run: echo
      stdin: "hello <script>alert(1)</script>\\n"
      expect: { stdout: { contains: "hello <script>" } }
    - run: exit-code
      args: ["4"]
      expect: { exit: 4 }
- id: fails
  title: a wrong expectation fails
  steps:
    - run: exit-code
      args: ["1"]
      expect: { stdout: { contains: "args: 2" } }
- id: hangs
  title: a program that hangs is stopped at its timeout
  steps:
    - run: stubborn
      timeout: 2s
`,
    );
    const out = path.join(temp.path, 'reports');
    const run = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', out, '--jobs', '2']);
    expect(run.exitCode, run.stderr).to.equal(1);
    expect(run.stdout).to.match(/^1 passed, 2 failed$/m);
    expect(run.stdout).to.contain('"args: 2" not found');

    const results = readResults(out);
    expect(results.experiments.map((experiment) => [experiment.id, experiment.status])).to.deep.equal([
      ['passes', 'passed'],
      ['fails', 'failed'],
      ['hangs', 'failed'],
    ]);
    // 2s gives node time to install its SIGTERM handler even on a loaded machine, so SIGKILL is needed.
    const hang = results.experiments[2].steps[0];
    expect(hang.process).to.include({ timedOut: true, signal: 'SIGKILL' });
    expect(hang.process?.stdout).to.contain('ignoring SIGTERM');
    expect(isAlive(hang.process!.pid!)).to.equal(false);
    expect(results.experiments[1].failures.map((failure) => failure.name)).to.deep.equal(['exit (implicit)', 'stdout.contains']);

    const junit = readJunit(out);
    expect(junit.testsuites).to.include({ tests: '3', failures: '2', errors: '0' });
    const xml = readFileSync(path.join(out, 'junit.xml'), 'utf8');
    expect(xml).to.contain('hello &lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('treats a program that printed only its prompt as silent, and one that printed more as not', async () => {
    const lab = fixtureLab(temp);
    temp.write(
      'specs/silent.yaml',
      `id: silent
title: a client printing only its prompt is silent
steps:
  - run: prompter
    args: ["Input: "]
    timeout: 300ms
    expect: { silent: true }
  - run: prompter
    args: ["Input: REPLY"]
    timeout: 300ms
    expect: { silent: false, timedOut: true }
`,
    );
    const out = path.join(temp.path, 'reports');
    const run = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', out]);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    expect(readResults(out).experiments[0].steps.map((step) => step.status)).to.deep.equal(['passed', 'passed']);
  });

  it('fails a service that never becomes ready, shows why, and skips the steps after it', async () => {
    const lab = fixtureLab(temp);
    temp.write(
      'specs/ready.yaml',
      `- id: never-ready
  title: a service that exits before listening
  steps:
    - start: exit-code
      args: ["7"]
      ready: { tcp: "{{ports.server}}", timeout: 2s }
    - run: echo
- id: ready-late
  title: readiness waits for a listener that comes after 300ms
  steps:
    - start: listener
      args: ["{{ports.server}}", "300"]
      ready: { tcp: "{{ports.server}}" }
    - stop: listener
      expect: { running: true, stdout: { contains: ready } }
`,
    );
    const out = path.join(temp.path, 'reports');
    const run = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', out]);
    expect(run.exitCode).to.equal(1);
    const [neverReady, late] = readResults(out).experiments;
    expect(neverReady.status).to.equal('failed');
    expect(neverReady.failures[0].message).to.match(/^exit-code never became ready: never showed a TCP listener of its own on port \d+: it exited \(exit code 7\) before that$/);
    expect(neverReady.steps[1]).to.include({ status: 'skipped' });
    expect(late.status).to.equal('passed');
  });

  it('prints file:line:col for a broken spec and exits 2 without running anything', async () => {
    const lab = fixtureLab(temp);
    const file = temp.write('specs/broken.yaml', `id: broken\ntitle: B\nsteps:\n  - run: echo\n    timeout: forever\n`);
    const run = await runCli(['run', file, '--lab', lab, '--out', path.join(temp.path, 'reports')]);
    expect(run.exitCode).to.equal(2);
    expect(run.stderr).to.contain(`${file}:5:14: error: steps[0].timeout: expected a duration such as 500ms, 3s or 1.5m, got "forever"`);
    expect(existsSync(path.join(temp.path, 'reports', 'results.json'))).to.equal(false);
  });

  it('names a missing program as a failure of that role', async () => {
    const lab = fixtureLab(temp);
    temp.write('specs/missing.yaml', `id: missing\ntitle: M\nsteps:\n  - run: echo\n`);
    const out = path.join(temp.path, 'reports');
    const run = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', out, '--role', 'echo=no-such-program-socklab --flag']);
    expect(run.exitCode).to.equal(1);
    expect(readResults(out).experiments[0].failures[0].message).to.equal('program not found: no-such-program-socklab (is it installed and on PATH?)');
  });

  it('on SIGINT stops every program, writes the reports of what finished, and exits 130', async () => {
    const lab = fixtureLab(temp);
    temp.write(
      'specs/interrupt.yaml',
      `- id: quick
  title: finishes at once
  steps: [{ run: exit-code, args: ["0"] }]
- id: long
  title: a long experiment with stubborn programs
  steps:
    - start: stubborn
    - start: forker
      args: [escape]
      ready: { stdout: grandchild }
    - run: sleeper
      timeout: 60s
`,
    );
    const out = path.join(temp.path, 'reports');
    let sent = false;
    let poll: NodeJS.Timeout | undefined;
    const run = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', out, '--jobs', '1'], {
      onStart: (pid, output) => {
        poll = setInterval(() => {
          if (!sent && /✓ quick/.test(output())) {
            sent = true;
            setTimeout(() => process.kill(pid, 'SIGINT'), 500);
            clearInterval(poll);
          }
        }, 50);
      },
    });
    clearInterval(poll);
    expect(sent, run.stdout + run.stderr).to.equal(true);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(130);
    const results = readResults(out);
    expect(results.status).to.equal('interrupted');
    expect(results.experiments.map((experiment) => experiment.status)).to.deep.equal(['passed', 'interrupted']);
    expect(readJunit(out).testsuites.tests).to.equal('2');
    const pids = results.experiments[1].steps.map((step) => step.process?.pid).filter((pid): pid is number => typeof pid === 'number');
    expect(pids.length).to.be.greaterThan(1);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).to.equal(false);
    expect(findTaggedProcesses(`${run.pid}-`)).to.deep.equal([]);
  });

  it('selects experiments by id, --grep and --tag', async () => {
    const lab = fixtureLab(temp);
    temp.write(
      'specs/select.yaml',
      `- { id: alpha, title: First, tags: [a], steps: [{ run: exit-code, args: ["0"] }] }
- { id: beta, title: Second, tags: [b], steps: [{ run: exit-code, args: ["0"] }] }
- { id: gamma, title: Third, tags: [a, b], steps: [{ run: exit-code, args: ["0"] }] }
`,
    );
    const specs = path.join(temp.path, 'specs');
    const ids = async (...extra: string[]) => {
      const out = path.join(temp.path, `reports-${extra.join('-')}`);
      const run = await runCli(['run', specs, '--lab', lab, '--out', out, ...extra]);
      expect(run.exitCode).to.equal(0);
      return readResults(out).experiments.map((experiment) => experiment.id);
    };
    expect(await ids('--tag', 'a')).to.deep.equal(['alpha', 'gamma']);
    expect(await ids('--grep', 'sec')).to.deep.equal(['beta']);
    expect(await ids('gamma')).to.deep.equal(['gamma']);
  });

  it('runs specs/task1 against the reference services, all green', async function () {
    needsTool(this, 'tcpdump');
    const out = path.join(temp.path, 'reports');
    const run = await runCli(['run', path.join(repoRoot, 'specs', 'task1'), '--out', out], { cwd: repoRoot });
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    const results = readResults(out);
    expect(results.counts.failed + results.counts.error).to.equal(0);
    expect(results.counts.passed).to.be.greaterThanOrEqual(16);
    const junit = readJunit(out);
    expect(junit.testsuites.failures).to.equal('0');
    // The problems are proven on the wire: a pcap each, with the refusal and the ICMP in plain words.
    const byId = (id: string) => results.experiments.find((experiment) => experiment.id === id)!;
    for (const id of ['p1-tcp-client-before-server', 'p2-udp-client-before-server', 'p3-different-ports']) {
      expect(byId(id).capture?.status, id).to.equal('captured');
      expect(existsSync(path.join(out, `${id}.pcap`)), id).to.equal(true);
    }
    const events = (id: string) => byId(id).capture!.summary!.events.map((event) => event.text);
    expect(events('p1-tcp-client-before-server')[0]).to.match(/^connection refused: SYN to server \(127\.0\.0\.1:\d+\) answered by RST$/);
    expect(events('p2-udp-client-before-server')[0]).to.match(/^UDP datagram to closed port \d+ \(server\) answered by ICMP port unreachable$/);
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).to.contain('class="ladder"');
  });

  it('runs specs/task1 against a Python submission written the way students do, all green', async () => {
    const out = path.join(temp.path, 'reports');
    const submission = path.join(repoRoot, 'test', 'fixtures', 'submissions', 'correct');
    const run = await runCli(['run', path.join(repoRoot, 'specs', 'task1'), '--submission', submission, '--out', out], { cwd: repoRoot });
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    expect(readResults(out).subject).to.equal(submission);
  });

  it('runs a --role program in the folder socklab was started from, so a relative file name works', async () => {
    const student = path.join(temp.path, 'lab5');
    cpSync(path.join(repoRoot, 'test', 'fixtures', 'submissions', 'correct', 'TCPServer.py'), path.join(student, 'TCPServer.py'));
    const out = path.join(temp.path, 'reports');
    const run = await runCli(['run', 'tcp-lowercase', '--role', 'tcp-server=python3 TCPServer.py', '--out', out], { cwd: student });
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    const [experiment] = readResults(out).experiments;
    expect(experiment.steps[0].process).to.include({ cwd: student });
    expect(experiment.steps[0].process?.command).to.deep.equal(['python3', 'TCPServer.py', String(experiment.ports.server)]);
  });

  it('fails the non-ASCII experiment for a server that uses str.upper()', async () => {
    const server = temp.write(
      'UpperServer.py',
      `import sys\nfrom socket import *\ns = socket(AF_INET, SOCK_STREAM)\ns.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)\ns.bind(('127.0.0.1', int(sys.argv[1])))\ns.listen(1)\nwhile True:\n    c, a = s.accept()\n    c.send(c.recv(65536).decode().upper().encode())\n    c.close()\n`,
    );
    const out = path.join(temp.path, 'reports');
    const run = await runCli(['run', 'tcp-non-ascii', 'tcp-lowercase', '--role', `tcp-server=python3 ${server}`, '--out', out], { cwd: repoRoot });
    expect(run.exitCode).to.equal(1);
    const results = readResults(out);
    expect(results.experiments.map((experiment) => [experiment.id, experiment.status])).to.deep.equal([
      ['tcp-lowercase', 'passed'],
      ['tcp-non-ascii', 'failed'],
    ]);
    expect(results.experiments[1].failures[0].actual).to.contain('STRASSE CAFÉ');
  });
});
