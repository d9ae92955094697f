// What a graded program can reach, end to end: `socklab grade` (its defaults) grades a class of two, a
// probe (test/fixtures/containment-probe: a Python TCP server and client) and a classmate, on two
// experiments of a server and a client each. Every program of the probe records what it could see and
// do, and the test checks each point: it does not run as root; /etc/shadow is unreadable; socklab is
// neither visible in /proc nor signallable; a listener on the grading machine's 127.0.0.1 cannot be
// reached; a file its server wrote to /tmp is seen by its client in the same experiment, never in the
// other; the classmate's folder does not exist for it. Then the control run, without the containment
// (`--no-sandbox`, and no network world: `ip` fails), where each of those points fails, which shows
// that each check can fail; what stays there is TMPDIR, still the experiment's own.
import { expect } from 'chai';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { repoRoot } from '../support/paths.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';

const probeDir = path.join(repoRoot, 'test', 'fixtures', 'containment-probe');

const SPEC = ['a', 'b']
  .map(
    (name) => `- id: probe-${name}
  title: the containment probe, experiment ${name}
  # The student's own server and client together (not split into halves with reference partners).
  tags: [pair]
  steps:
    - start: tcp-server
      args: ["{{ports.server}}", "${name}"]
      ready: { tcp: "{{ports.server}}" }
    - run: tcp-client
      args: ["{{server.host}}", "{{ports.server}}"]
      stdin: "hello\\n"
      expect: { exit: 0, stdout: { contains: HELLO } }
`,
  )
  .join('\n');

/** What one program of the probe recorded (probe.py). */
interface ProbeReport {
  role: 'server' | 'client';
  uid: number;
  shadow: string;
  processes: number;
  socklabSeen: string[];
  signalSocklab: string;
  loopback: string;
  classmate: string;
  tmpMarkers: string[];
  tmpdirMarkers: string[];
}

/** Each experiment's probe reports (server and client), from the probe's results.json. */
function reportsOf(out: string): Record<string, ProbeReport[]> {
  const run = JSON.parse(readFileSync(path.join(out, 'alice', 'results.json'), 'utf8')) as RunResult;
  const reports: Record<string, ProbeReport[]> = {};
  for (const experiment of run.experiments) {
    const lines = experiment.steps.flatMap((step) => (step.process?.stdout ?? '').split('\n')).filter((line) => line.startsWith('PROBE '));
    reports[experiment.id] = lines.map((line) => JSON.parse(line.slice('PROBE '.length)) as ProbeReport).sort((a, b) => b.role.localeCompare(a.role));
  }
  return reports;
}

describe('containment of graded programs (end to end)', function () {
  this.timeout(240_000);
  let temp: TempDir;
  let listener: net.Server;
  let loopbackPort: number;
  let token: string;
  let classmateFile: string;

  before(async () => {
    temp = new TempDir();
    cpSync(probeDir, path.join(temp.path, 'class', 'alice'), { recursive: true });
    classmateFile = temp.write('class/bob/notes.txt', 'bob\'s answers\n');
    temp.write('specs/probe.yaml', SPEC);
    listener = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end('the grading machine\n');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    loopbackPort = (listener.address() as net.AddressInfo).port;
  });
  beforeEach(() => (token = `${process.pid}-${Date.now().toString(36)}`));
  afterEach(() => {
    for (const name of readdirSync(os.tmpdir())) if (name.startsWith(`probe-${token}-`)) rmSync(path.join(os.tmpdir(), name), { force: true });
  });
  after(async () => {
    await new Promise((resolve) => listener?.close(resolve));
    temp?.remove();
  });

  /** Grades the class with the probe's environment; `extra` adds options, `env` more variables. */
  async function grade(name: string, extra: string[], env: Record<string, string> = {}): Promise<{ cli: CliRun; reports: Record<string, ProbeReport[]> }> {
    const out = path.join(temp.path, name);
    const probeEnv = { PROBE_TOKEN: token, PROBE_LOOPBACK_PORT: String(loopbackPort), PROBE_CLASSMATE: classmateFile, ...env };
    const cli = await runCli(['grade', '--class', path.join(temp.path, 'class'), '-s', path.join(temp.path, 'specs'), '-o', out, '-j', '1', ...extra], { cwd: repoRoot, env: probeEnv, pidVariable: 'PROBE_SOCKLAB_PID' });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    const reports = reportsOf(out);
    expect(Object.keys(reports), cli.stdout + cli.stderr).to.deep.equal(['probe-a', 'probe-b']);
    for (const [id, pair] of Object.entries(reports)) expect(pair.map((report) => report.role), `${id}: ${JSON.stringify(pair)}`).to.deep.equal(['server', 'client']);
    return { cli, reports };
  }

  it('grade (defaults): not root, no /etc/shadow, no socklab to see or signal, no loopback of the machine, its own /tmp, no classmate', async function () {
    needsTool(this, 'bwrap', 'netns');
    const { cli, reports } = await grade('contained', []);
    for (const [id, [server, client]] of Object.entries(reports)) {
      for (const report of [server, client]) {
        const where = `${id} ${report.role}: ${JSON.stringify(report)}`;
        expect(report.uid, where).to.not.equal(0);
        expect(report.shadow, where).to.equal('PermissionError');
        expect(report.socklabSeen, where).to.deep.equal([]);
        // Its namespace: bwrap's init and the program (and nothing of socklab's).
        expect(report.processes, where).to.equal(2);
        expect(report.signalSocklab, where).to.equal('ProcessLookupError');
        expect(report.loopback, where).to.equal('ConnectionRefusedError');
        expect(report.classmate, where).to.equal('FileNotFoundError');
      }
      expect(client.uid, `${id}: one user per experiment`).to.equal(server.uid);
      const experiment = id.slice('probe-'.length);
      expect(client.tmpMarkers, `${id}: its server's mark, and only its own experiment's`).to.deep.equal([experiment]);
      expect(client.tmpdirMarkers, id).to.deep.equal([experiment]);
    }
    expect(cli.pid).to.be.a('number');
  });

  it('control: without the containment (--no-sandbox, on loopback) every one of those points fails, and only TMPDIR stays the experiment\'s', async () => {
    // An `ip` that fails keeps socklab on loopback, as on a machine where it cannot make network namespaces.
    const noIp = path.join(temp.path, 'no-ip');
    mkdirSync(noIp);
    writeFileSync(path.join(noIp, 'ip'), '#!/bin/sh\necho "ip: not here" >&2\nexit 1\n', { mode: 0o755 });
    const { cli, reports } = await grade('uncontained', ['--no-sandbox'], { PATH: `${noIp}:${process.env.PATH ?? ''}` });
    expect(cli.stderr).to.contain('experiments run on loopback');
    const [server, client] = reports['probe-b'];
    for (const report of [server, client]) {
      const where = `probe-b ${report.role}: ${JSON.stringify(report)}`;
      if (process.getuid?.() === 0) expect(report.uid, where).to.equal(0);
      if (process.getuid?.() === 0) expect(report.shadow, where).to.equal('read');
      expect(report.socklabSeen.join('\n'), where).to.contain('socklab.js');
      expect(report.signalSocklab, where).to.equal('signalled');
      expect(report.loopback, where).to.equal('connected');
      expect(report.classmate, where).to.equal('read');
    }
    // The experiments ran one after the other, so the second one's client sees the first one's mark in /tmp.
    expect(client.tmpMarkers).to.deep.equal(['a', 'b']);
    expect(client.tmpdirMarkers, 'TMPDIR is still the experiment\'s own').to.deep.equal(['b']);
    expect(existsSync(path.join(os.tmpdir(), `probe-${token}-a`))).to.equal(true);
  });
});
