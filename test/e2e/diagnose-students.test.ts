// diagnose() on real results: the CLI runs the sample submissions in test/fixtures/submissions/ (Python 3
// programs with typical mistakes) and each one gets exactly the diagnosis its mistake deserves.
import { expect } from 'chai';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { diagnose, type Diagnosis, type RoleContext } from '../../harness/grade/diagnose.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';

const submissions = path.join(repoRoot, 'test', 'fixtures', 'submissions');
const PROGRAMS: Record<string, string> = {
  'tcp-server': 'TCPServer.py',
  'tcp-client': 'TCPClient.py',
  'udp-server': 'UDPServer.py',
  'udp-client': 'UDPClient.py',
  'web-server': 'WebServer.py',
  proxy: 'ProxyServer.py',
  'mail-client': 'MailClient.py',
};

/** The roles a folder's programs play, found by file name (as grading does). */
function contextOf(folder: string): RoleContext[] {
  return Object.entries(PROGRAMS)
    .filter(([, file]) => existsSync(path.join(folder, file)))
    .map(([role, file]) => ({ role, programFile: path.join(folder, file) }));
}

type Diagnoses = Record<string, Diagnosis[]>;

describe('diagnose on the sample submissions (end to end)', function () {
  this.timeout(200_000);
  let temp: TempDir;
  before(() => (temp = new TempDir()));
  after(() => temp.remove());

  /** Runs experiments with each program given by `--role ROLE="python3 /abs/File.py"`; diagnoses every experiment. */
  async function diagnoseWithRoles(student: string, ids: string[]): Promise<Diagnoses> {
    const folder = path.join(submissions, student);
    const context = contextOf(folder);
    const roles = context.flatMap(({ role, programFile }) => ['--role', `${role}=python3 ${programFile}`]);
    return runAndDiagnose(student, [...ids, ...roles], context);
  }

  /** Runs experiments on a copy of the folder with a socklab.yaml, so the programs run in it (the web server serves its files). */
  async function diagnoseAsSubmission(student: string, ids: string[]): Promise<Diagnoses> {
    const copy = path.join(temp.path, `copy-${student}`);
    cpSync(path.join(submissions, student), copy, { recursive: true });
    const context = contextOf(copy);
    writeFileSync(path.join(copy, 'socklab.yaml'), `roles:\n${context.map(({ role, programFile }) => `  ${role}: python3 ${path.basename(programFile!)}\n`).join('')}`);
    return runAndDiagnose(student, [...ids, '--submission', copy], context);
  }

  async function runAndDiagnose(student: string, args: string[], context: RoleContext[]): Promise<Diagnoses> {
    const out = path.join(temp.path, `reports-${student}`);
    const cli = await runCli(['run', ...args, '--out', out, '-r', 'json'], { cwd: repoRoot, timeoutMs: 180_000 });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.be.oneOf([0, 1]);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
    return Object.fromEntries(results.experiments.map((experiment) => [experiment.id, diagnose(experiment, context)]));
  }

  const codesOf = (diagnoses: Diagnoses) => Object.fromEntries(Object.entries(diagnoses).map(([id, list]) => [id, list.map((diagnosis) => diagnosis.code)]));

  it('student-correct: nothing to say', async () => {
    const diagnoses = await diagnoseWithRoles('student-correct', ['tcp-lowercase', 'tcp-non-ascii', 'tcp-several-clients', 'udp-lowercase']);
    expect(codesOf(diagnoses)).to.deep.equal({ 'tcp-lowercase': [], 'tcp-non-ascii': [], 'tcp-several-clients': [], 'udp-lowercase': [] });
  });

  it('student-python2: python2 for every program that ran, naming print and raw_input', async () => {
    const diagnoses = await diagnoseWithRoles('student-python2', ['tcp-lowercase', 'udp-lowercase', 'p1-tcp-client-before-server', 'p2-udp-client-before-server']);
    // In p2 the early client never sends (it dies at raw_input), so the experiment stops before the
    // server starts: only the client is diagnosed there; udp-lowercase shows the server.
    expect(codesOf(diagnoses)).to.deep.equal({
      'tcp-lowercase': ['python2'],
      'udp-lowercase': ['python2'],
      'p1-tcp-client-before-server': ['python2', 'python2'],
      'p2-udp-client-before-server': ['python2'],
    });
    expect(diagnoses['p2-udp-client-before-server'][0].message).to.match(/^UDPClient\.py looks like Python 2 \(raw_input\)/);
    expect(diagnoses['udp-lowercase'][0].message).to.match(/^UDPServer\.py looks like Python 2 \(print statement\)/);
  });

  it('student-hardcoded-port: works everywhere; the command-line experiments name the port and the host with their lines', async () => {
    const diagnoses = await diagnoseWithRoles('student-hardcoded-port', ['tcp-lowercase', 'udp-lowercase', 'tcp-client-address-from-command-line', 'udp-client-address-from-command-line']);
    // In their experiments' worlds the hard-coded localhost:12000 reaches the server: they pass, and
    // the hints say where the world delivered it and that the host is written in.
    expect(codesOf(diagnoses)).to.deep.equal({
      'tcp-lowercase': ['ignores-cli-port', 'ignores-cli-host'],
      'udp-lowercase': ['ignores-cli-port', 'ignores-cli-host'],
      'tcp-client-address-from-command-line': ['ignores-cli-port', 'ignores-cli-host'],
      'udp-client-address-from-command-line': ['ignores-cli-port', 'ignores-cli-host'],
    });
    expect(diagnoses['tcp-lowercase'][0].message).to.match(/^TCPClient\.py was told port \d+ but connected to localhost:12000, hard-coded at (\S+\/)?TCPClient\.py:\d+ \(clientSocket\.connect\(\('localhost', 12000\)\)\)/);
    const [tcpPort, tcpHost] = diagnoses['tcp-client-address-from-command-line'];
    expect(tcpPort.message).to.include("clientSocket.connect(('localhost', 12000))");
    expect(tcpHost.message).to.match(/^TCPClient\.py was told the server's address 192\.0\.2\.1 but went to localhost, written at TCPClient\.py:7 /);
    const [udpPort, udpHost] = diagnoses['udp-client-address-from-command-line'];
    expect(udpPort.message).to.match(/^UDPClient\.py was told port \d+ but sent to localhost:12000, hard-coded at (\S+\/)?UDPClient\.py:7 \(serverPort = 12000\)/);
    expect(udpHost.message).to.include("written at UDPClient.py:6 (serverName = 'localhost')");
  });

  it('student-one-request: server-exits-after-one-request, not a hard-coded port', async () => {
    const diagnoses = await diagnoseWithRoles('student-one-request', ['tcp-several-clients', 'p3-different-ports', 'tcp-lowercase']);
    expect(codesOf(diagnoses)).to.deep.equal({
      'tcp-several-clients': ['server-exits-after-one-request'],
      'p3-different-ports': ['server-exits-after-one-request'],
      'tcp-lowercase': [],
    });
    expect(diagnoses['tcp-several-clients'][0].message).to.match(/^TCPServer\.py ended by itself \(exit code 0\) after its first client, so the next client found nothing on port \d+/);
  });

  it('student-upper: unicode-upper for the server, with the letters it changed', async () => {
    const diagnoses = await diagnoseWithRoles('student-upper', ['tcp-non-ascii', 'udp-non-ascii', 'tcp-lowercase']);
    expect(codesOf(diagnoses)).to.deep.equal({ 'tcp-non-ascii': ['unicode-upper'], 'udp-non-ascii': ['unicode-upper'], 'tcp-lowercase': [] });
    expect(diagnoses['tcp-non-ascii'][0].message).to.match(/^TCPServer\.py uses str\.upper\(\), which also changes non-ASCII letters \(ß→SS, é→É\)/);
    expect(diagnoses['udp-non-ascii'][0].message).to.match(/^UDPServer\.py uses str\.upper\(\).*ï→Ï/);
  });

  it('Tasks 2–4: no-response, no-cache and ignores-reply-codes', async () => {
    const web = await diagnoseAsSubmission('student-web-no-404', ['web-404', 'web-hello']);
    expect(codesOf(web)).to.deep.equal({ 'web-404': ['no-response'], 'web-hello': [] });
    const proxy = await diagnoseAsSubmission('student-proxy-no-cache', ['proxy-cache-hit']);
    expect(codesOf(proxy)).to.deep.equal({ 'proxy-cache-hit': ['no-cache'] });
    const mail = await diagnoseAsSubmission('student-mail-ignores-codes', ['mail-rejected-recipient']);
    expect(codesOf(mail)).to.deep.equal({ 'mail-rejected-recipient': ['ignores-reply-codes'] });
  });
});
