// Every report says how each experiment was deployed (one host, two namespaces, a role on another
// machine over SSH or started by hand), and lists the checks it could not make from this side as
// "not observable with --remote": neither passed nor failed.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import type { Deployment, ExperimentResult, StepResult } from '../../harness/model/result.js';
import { ConsoleReporter } from '../../harness/report/console.js';
import { toGradescope } from '../../harness/report/gradescope.js';
import { renderHtmlReport } from '../../harness/report/html.js';
import { renderJunit } from '../../harness/report/junit.js';
import { experiment, failed, processResult, step } from '../support/result-builder.js';
import { makeRun } from './fixtures.js';

const byHand: Deployment = {
  kind: 'remote',
  summary: 'two machines: tcp-server at 198.51.100.2:40000, started by hand (socklab did not start it and cannot see its output or exit status); tcp-client on this machine (198.51.100.1)',
  remote: [{ role: 'tcp-server', startedBy: 'hand', host: '198.51.100.2', port: 40000 }],
  localAddress: '198.51.100.1',
};
const overSsh: Deployment = {
  kind: 'remote',
  summary: 'two machines: tcp-server on student@198.51.100.2 (host lab-pc), started by socklab over SSH; tcp-client on this machine (198.51.100.1)',
  remote: [{ role: 'tcp-server', startedBy: 'ssh', host: '198.51.100.2', user: 'student', hostName: 'lab-pc' }],
  localAddress: '198.51.100.1',
};
const reason = 'not observable with --remote: tcp-server runs on 198.51.100.2:40000, started by hand: socklab did not start it, so its output and exit status stay there';

const handStarted = processResult({ command: [], cwd: '', pid: null, exitCode: null, stillRunning: true, remote: { startedBy: 'hand', host: '198.51.100.2', port: 40000 } });
const stopped: StepResult = step(2, {
  kind: 'stop',
  label: 'stop tcp-server',
  status: 'skipped',
  skipReason: reason,
  process: handStarted,
  notObservable: [{ name: 'stdout', expected: '{"contains":"sent 6 bytes"}', reason, location: { file: 'specs/x.yaml', line: 12, column: 15 } }],
});
const remoteByHand = experiment('hand-stop', [step(0, { kind: 'start', label: 'start tcp-server 40000', process: handStarted }), step(1, { label: 'run tcp-client 198.51.100.2 40000' }), stopped], {
  score: 1,
  deployment: byHand,
});
const sshServer = processResult({
  command: ['python3', 'TCPServer.py', '40001'],
  cwd: '/tmp/socklab-tcp.Ab12/program',
  exitCode: null,
  signal: 'SIGKILL',
  killed: true,
  stderr: 'Traceback (most recent call last):\n',
  remote: { startedBy: 'ssh', host: '198.51.100.2', user: 'student', hostName: 'lab-pc', folder: '/tmp/socklab-tcp.Ab12' },
});
const remoteOverSsh = experiment('ssh-fails', [step(0, { kind: 'start', status: 'failed', label: 'start tcp-server 40001', process: sshServer, expectations: [failed('ready')] })], { deployment: overSsh });
const oneHost = experiment('on-loopback', [step(0, {})], { score: 1, deployment: { kind: 'one-host', summary: 'one host: every program on this machine (127.0.0.1)' } });
const run = makeRun([remoteByHand, remoteOverSsh, oneHost]);

class CaptureStream extends Writable {
  text = '';
  readonly isTTY = false;
  override _write(chunk: string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk;
    done();
  }
}

function consoleText(): string {
  const stream = new CaptureStream({ decodeStrings: false });
  const reporter = new ConsoleReporter({ outputDir: '/tmp/unused', stream: stream as unknown as NodeJS.WriteStream }, {});
  reporter.onRunBegin({ startedAt: run.startedAt, experiments: run.experiments, jobs: 1, subject: 'reference', outputDir: '/tmp/unused' });
  for (const result of run.experiments) reporter.onExperimentEnd(result);
  reporter.onRunEnd(run);
  return stream.text;
}

describe('deployment and not-observable checks in every report', () => {
  it('console: each experiment line says where it ran and how many checks were not observable; a failure says where in full', () => {
    const text = consoleText();
    expect(text).to.include('  ✓ hand-stop  hand-stop (1.0 s; tcp-server by hand at 198.51.100.2:40000; 1 check not observable with --remote)\n');
    expect(text).to.include('  ✓ on-loopback  on-loopback (1.0 s; one host)\n');
    expect(text).to.include('  ✗ ssh-fails  ssh-fails (1.0 s; tcp-server over SSH on student@198.51.100.2)\n');
    expect(text).to.include(`   deployed: ${overSsh.summary}\n`);
    expect(text).to.include('     ran on student@198.51.100.2 (host lab-pc) over SSH, in /tmp/socklab-tcp.Ab12 (removed afterwards)\n');
  });

  it('JUnit: the deployment and the checks not observable are properties of the suite, by experiment id; a failure repeats the deployment', () => {
    const xml = renderJunit(run, { hostname: 'grader', workingDir: '/' });
    expect(xml).to.include(`<property name="hand-stop.deployment" value="${byHand.summary}"/>`);
    expect(xml).to.include('<property name="hand-stop.notObservable" value="step 3 stdout: not observable with --remote, neither passed nor failed"/>');
    expect(xml).to.include('<property name="on-loopback.deployment" value="one host: every program on this machine (127.0.0.1)"/>');
    expect(xml).to.match(/<failure [^>]*>ssh-fails \(specs\/x\.yaml:1\)\ndeployed: two machines: tcp-server on student@198\.51\.100\.2 \(host lab-pc\)/);
    expect(xml).to.include('  ran on student@198.51.100.2 (host lab-pc) over SSH, in /tmp/socklab-tcp.Ab12 (removed afterwards)');
  });

  it('HTML: a "Deployed" line heads each experiment; checks not observable get their own table; a program started by hand shows where, not an empty output', () => {
    const document = renderHtmlReport(run);
    expect(document).to.include('<p class="deployment"><strong>Deployed:</strong> two machines: tcp-server at 198.51.100.2:40000, started by hand');
    expect(document).to.include('<p class="deployment"><strong>Deployed:</strong> one host: every program on this machine (127.0.0.1)</p>');
    expect(document).to.include('<caption>Not observable with --remote (neither passed nor failed)</caption>');
    expect(document).to.include('<span class="mark-unseen">— not observable</span>');
    expect(document).to.include('<dt>ran</dt><dd>at 198.51.100.2:40000, started by hand: not started by socklab, its output and exit status are not observable</dd>');
    const handStep = document.slice(document.indexOf('step 3: stop tcp-server'), document.indexOf('Not observable with --remote'));
    expect(handStep).to.not.include('<span class="stream">stdout</span>');
  });

  it('Gradescope: each test says how it was deployed, and lists what could not be observed even when it passed', () => {
    const tests = toGradescope(run).tests ?? [];
    const output = (id: string) => tests.find((test) => test.name?.startsWith(`${id}:`))?.output ?? '';
    expect(output('hand-stop')).to.include(`*Deployed: two machines: tcp-server at 198.51.100.2:40000, started by hand`);
    expect(output('hand-stop')).to.include('**Not observable with --remote** (neither passed nor failed):');
    expect(output('hand-stop')).to.include('step 3: stop tcp-server: stdout (expected {"contains":"sent 6 bytes"})');
    expect(output('ssh-fails')).to.include('Ran on student@198.51.100.2 (host lab-pc) over SSH');
  });
});

/** Results of an older socklab (version 2 without `deployment`) still render. */
describe('results without a deployment', () => {
  it('render as before in every report', () => {
    const old: ExperimentResult = { ...oneHost, deployment: undefined };
    const older = makeRun([old]);
    expect(renderJunit(older, { hostname: 'grader', workingDir: '/' })).to.not.include('.deployment');
    expect(renderHtmlReport(older)).to.not.include('class="deployment"');
    expect(toGradescope(older).tests?.[0].output).to.not.include('Deployed');
  });
});
