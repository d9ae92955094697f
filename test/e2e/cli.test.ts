// The CLI end to end: inline YAML written to a temp folder, the real harness, real processes, and the
// JUnit XML and results.json it writes, parsed and checked.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { RunResult } from '../../harness/model/result.js';
import { findTaggedProcesses } from '../../harness/process/process-sweep.js';
import { cliPath, repoRoot } from '../support/paths.js';
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
    timeout: 5s
    expect: { silent: true }
  - run: prompter
    args: ["Input: REPLY"]
    timeout: 5s
    expect: { silent: false, timedOut: true }
`,
    );
    const out = path.join(temp.path, 'reports');
    const run = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', out]);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    expect(readResults(out).experiments[0].steps.map((step) => step.status)).to.deep.equal(['passed', 'passed']);
  });

  it('ends an HTTP request as its timeout would once the server can only wait for more of it', async () => {
    const lab = fixtureLab(temp);
    temp.write(
      'specs/mute.yaml',
      `id: mute
title: a server that reads the request and never answers
steps:
  - start: mute
    args: ["{{ports.web}}"]
    ready: { stdout: ready }
  - http: "http://127.0.0.1:{{ports.web}}/"
    timeout: 30s
    expect: { error: ETIMEDOUT }
`,
    );
    const run = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', path.join(temp.path, 'mute')]);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    const request = readResults(path.join(temp.path, 'mute')).experiments[0].steps[1];
    expect(request.notes?.[0]).to.match(/^stopped after .+ instead of waiting out its 30s timeout: no response could come any more$/);
    expect(request.durationMs).to.be.below(30_000);
  });

  it('ends a browser\'s page load as its timeout would once the proxy can only wait for more of the request', async function () {
    needsTool(this, 'chromium');
    const lab = fixtureLab(temp);
    temp.write(
      'specs/mute-proxy.yaml',
      `id: mute-proxy
title: a proxy that reads the browser's request and never answers
steps:
  - start: mute
    args: ["{{ports.proxy}}"]
    ready: { stdout: ready }
  - browser: "http://www.example.test/page.html"
    proxy: "http://127.0.0.1:{{ports.proxy}}"
    timeout: 30s
`,
    );
    const run = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', path.join(temp.path, 'mute-proxy')]);
    expect(run.exitCode, run.stdout + run.stderr).to.equal(1);
    const visit = readResults(path.join(temp.path, 'mute-proxy')).experiments[0].steps[1];
    expect(visit.status).to.equal('failed');
    expect(visit.notes?.[0]).to.match(/^stopped after .+ instead of waiting out its 30s timeout: no response could come any more$/);
    expect(visit.expectations[0].message).to.match(/^the page did not load: no complete response, and none could come any more: every program waited for input that nothing was going to send \(python3 \(pid \d+\) in recvfrom/);
  });

  it('ends the run of a tool whose timers only make it give up (curl -m) once the server can only wait; not a program not known to', async function () {
    needsTool(this, 'curl');
    const lab = fixtureLab(temp);
    const spec = (role: string) => `id: curl-${role}
title: curl against a server that reads the request and never answers
steps:
  - start: mute
    args: ["{{ports.web}}"]
    ready: { stdout: ready }
  - run: ${role}
    args: [-s, -S, -m, "3", "http://127.0.0.1:{{ports.web}}/"]
    timeout: 30s
    expect: { stdout: { contains: an answer } }
`;
    temp.write('specs/curl.yaml', spec('curl'));
    const early = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', path.join(temp.path, 'curl-early')]);
    const ended = readResults(path.join(temp.path, 'curl-early')).experiments[0].steps[1];
    // Ended before curl's own 3 s, as at the step's timeout: stopped by socklab (no exit code of curl's own).
    expect(early.exitCode, early.stdout + early.stderr).to.equal(1);
    expect(ended.notes[0], ended.notes[0]).to.match(/^stopped after .+ instead of waiting out its 30s timeout: it and every other program waited for input that nothing was going to send \(curl \(pid \d+\) in poll/);
    expect(ended.process?.exitCode).to.equal(null);

    temp.write('specs/curl.yaml', spec('curl-unknown'));
    const waited = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', path.join(temp.path, 'curl-waited')]);
    expect(waited.exitCode, waited.stdout + waited.stderr).to.equal(1);
    const full = readResults(path.join(temp.path, 'curl-waited')).experiments[0].steps[1];
    expect(full.process?.exitCode, 'curl ended by its own -m 3').to.equal(28);
    expect(full.process?.stuck).to.equal(undefined);
  });

  it('ends a step as its timeout would once its programs can only wait (no input can come); --wait-timeouts waits it out', async () => {
    const lab = fixtureLab(temp);
    const spec = (timeout: string) => `id: waits
title: a client that waits for ever
steps:
  - run: prompter
    args: ["Input: "]
    timeout: ${timeout}
    expect: { silent: true }
`;
    temp.write('specs/waits.yaml', spec('30s'));
    const early = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', path.join(temp.path, 'early')]);
    expect(early.exitCode, early.stdout + early.stderr).to.equal(0);
    const [ended] = readResults(path.join(temp.path, 'early')).experiments[0].steps;
    expect(ended.process?.timedOut).to.equal(true);
    expect(ended.process?.stuck?.waits).to.have.length.greaterThan(0);
    expect(ended.process!.stuck!.afterMs).to.be.below(30_000);
    expect(ended.notes[0], ended.notes[0]).to.match(/^stopped after .+ instead of waiting out its 30s timeout: it and every other program waited for input that nothing was going to send \(node \(pid \d+\) in epoll_pwait/);

    temp.write('specs/waits.yaml', spec('1s'));
    const waited = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', path.join(temp.path, 'waited'), '--wait-timeouts']);
    expect(waited.exitCode, waited.stdout + waited.stderr).to.equal(0);
    const [full] = readResults(path.join(temp.path, 'waited')).experiments[0].steps;
    expect(full.process?.stuck).to.equal(undefined);
    expect(full.notes).to.deep.equal(['stopped after 1s (timeout)']);
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

  describe('hygiene: usage errors, closed pipes, colors, help', () => {
    it('answers every usage error with one line and exit 2, never "internal error"', async () => {
      const usageErrors: Array<[string[], RegExp]> = [
        [['run', '--shard', '6/5'], /^socklab: option '--shard <i\/n>' argument '6\/5' is invalid: expected i\/n with 1 ≤ i ≤ n, e\.g\. 2\/5; see socklab run --help$/],
        [['run', '--shard', 'x'], /^socklab: option '--shard <i\/n>' argument 'x' is invalid: expected i\/n/],
        [['grade', '--reference', '--shard', '0/3'], /^socklab: option '--shard <i\/n>' argument '0\/3' is invalid/],
        [['run', '--gerp', 'tcp'], /^socklab: unknown option '--gerp' \(did you mean --grep\?\); see socklab run --help$/],
        [['run', '-j'], /^socklab: option '-j, --jobs <n>' argument missing; see socklab run --help$/],
        [['run', '-j', '0'], /^socklab: option '-j, --jobs <n>' argument '0' is invalid: expected a whole number ≥ 1; see socklab run --help$/],
        [['run', '-r', 'junti'], /^socklab: unknown reporter "junti" \(did you mean "junit"\?\)/],
        [['merge'], /^socklab: missing required argument 'folders'; see socklab merge --help$/],
        [['merge', path.join(temp.path, 'nowhere')], /^socklab: not a folder: /],
        [['frob'], /^socklab: unknown command 'frob'; see socklab --help$/],
      ];
      for (const [args, message] of usageErrors) {
        const run = await runCli(args, { cwd: temp.path });
        expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).to.equal(2);
        expect(run.stderr, args.join(' ')).to.match(/^[^\n]*\n$/);
        expect(run.stderr.trimEnd(), args.join(' ')).to.match(message);
      }
    });

    it('stops quietly when the reader of its output goes away (`socklab list | head -n 1`): no EPIPE, exit 0', async () => {
      const lab = fixtureLab(temp);
      // 3000 lines, several times what a pipe holds, so writes are still pending when head exits.
      const lines = Array.from({ length: 3000 }, (_, i) => `- { id: e${i}, title: "experiment ${i}, with a title long enough to fill a pipe", steps: [{ run: echo }] }`);
      temp.write('specs/many.yaml', lines.join('\n') + '\n');
      const script = `set -o pipefail; "${process.execPath}" "${cliPath}" list specs --lab "${lab}" | head -n 1`;
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile('bash', ['-c', script], { cwd: temp.path }, (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }));
      });
      expect(result.stderr).to.equal('');
      expect(result.code).to.equal(0);
      expect(result.stdout).to.match(/^e0\texperiment 0, with a title long enough to fill a pipe\t\[\]\tspecs\/many\.yaml:1\n$/);
    });

    it('colors a piped console with FORCE_COLOR (even over NO_COLOR), and not with FORCE_COLOR=0', async () => {
      const lab = fixtureLab(temp);
      temp.write('specs/one.yaml', 'id: one\ntitle: exits 0\nsteps: [{ run: exit-code, args: ["0"] }]\n');
      const run = (env: Record<string, string>) => runCli(['run', 'specs', '--lab', lab, '--out', 'reports', '--reporter', 'console'], { cwd: temp.path, env });
      const forced = await run({ FORCE_COLOR: '1', NO_COLOR: '1' });
      expect(forced.exitCode, forced.stderr).to.equal(0);
      expect(forced.stdout).to.contain('\x1b[32m✓\x1b[0m one').and.contain('\x1b[32m1 passed, 0 failed\x1b[0m');
      expect(forced.stdout).to.not.contain('\r');
      const off = await run({ FORCE_COLOR: '0' });
      expect(off.exitCode, off.stderr).to.equal(0);
      expect(off.stdout).to.contain('1 passed, 0 failed').and.not.contain('\x1b');
    });

    it('--help shows each default once, and no path of this machine', async () => {
      for (const command of ['run', 'grade', 'gradescope-bundle', 'validate', 'list', 'merge']) {
        const help = await runCli([command, '--help']);
        expect(help.exitCode).to.equal(0);
        expect(help.stdout).to.not.contain(repoRoot).and.not.contain('(default: [])');
        // One entry per option: its flags at the start of a line, then its (wrapped) description.
        for (const entry of help.stdout.split(/\n(?= {2}-)/)) expect(entry.match(/default:/g) ?? [], entry).to.have.length.at.most(1);
      }
      const run = await runCli(['run', '--help']);
      expect(run.stdout.replace(/\s+/g, ' ')).to.contain("(default: ./specs/lab.yaml if there, else socklab's own)").and.contain('(default: console,junit,json,html)');
    });
  });
});
