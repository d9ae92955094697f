// Programs graded where they want to run (issue #14's acceptance test): five submissions written the
// way students write the lab, each hard-coding something, graded at the same time (five socklab runs,
// `-j 2` each). In their experiments' worlds each gets the points of what works, and fails exactly one
// experiment, the strict command-line one, with a diagnosis that names the source line.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'world');

interface Case {
  student: string;
  specs: string;
  passed: string[];
  failed: string;
  /** What the failed experiment's diagnosis must say. */
  cause: RegExp;
}

const cases: Case[] = [
  {
    student: 'server-port-12000',
    specs: 'tcp.yaml',
    passed: ['tcp-works.server', 'tcp-works.client', 'tcp-twice.server', 'tcp-twice.client', 'tcp-command-line.client'],
    failed: 'tcp-command-line.server',
    cause: /^TCPServer\.py was told to listen on port \d+ but listens on 12000, hard-coded at TCPServer\.py:3 \(serverPort = 12000\)/,
  },
  {
    student: 'client-localhost-12000',
    specs: 'tcp.yaml',
    passed: ['tcp-works.server', 'tcp-works.client', 'tcp-twice.server', 'tcp-twice.client', 'tcp-command-line.server'],
    failed: 'tcp-command-line.client',
    cause: /^TCPClient\.py connected to port 12000, hard-coded at TCPClient\.py:4 \(serverPort = 12000\) instead of \d+ \(where tcp-server listens\)/,
  },
  {
    student: 'web-port-80',
    specs: 'web.yaml',
    passed: ['web-page', 'web-missing'],
    failed: 'web-command-line',
    cause: /^WebServer\.py was told to listen on port \d+ but listens on 80, hard-coded at WebServer\.py:5 \(serverPort = 80\)/,
  },
  {
    student: 'proxy-upstream-80',
    specs: 'proxy.yaml',
    passed: ['proxy-fetch'],
    failed: 'proxy-origin-port',
    cause: /^ProxyServer\.py connected to the origin's port 80, written in the program \(ProxyServer\.py:15: upstream\.connect\(\(host, 80\)\)\), although the URL it was asked for \(http:\/\/www\.example\.test:\d+\/a\) names port \d+/,
  },
  {
    student: 'mail-gmail',
    specs: 'mail.yaml',
    passed: ['mail-delivered'],
    failed: 'mail-command-line',
    cause: /^MailClient\.py connected to port 587, hard-coded at MailClient\.py:10 \(mailserver = \('smtp\.gmail\.com', 587\)\) instead of \d+ \(where sink listens\)/,
  },
];

describe('grading programs where they want to run (end to end)', function () {
  this.timeout(240_000);
  let temp: TempDir;
  const results = new Map<string, RunResult>();
  const pids: number[] = [];

  before(async function () {
    needsTool(this, 'netns');
    needsTool(this, 'iptables');
    temp = new TempDir();
    const runs = await Promise.all(
      cases.map((entry) =>
        runCli(['grade', path.join(fixtures, entry.student), '-s', path.join(fixtures, 'specs', entry.specs), '-o', path.join(temp.path, entry.student), '-r', 'json', '-j', '2'], { cwd: repoRoot, timeoutMs: 200_000 }),
      ),
    );
    runs.forEach((run, index) => {
      expect(run.exitCode, `${cases[index].student}: ${run.stdout}${run.stderr}`).to.equal(0);
      pids.push(run.pid);
      results.set(cases[index].student, JSON.parse(readFileSync(path.join(temp.path, cases[index].student, 'results.json'), 'utf8')) as RunResult);
    });
  });
  after(() => temp?.remove());

  for (const entry of cases) {
    it(`${entry.student}: the points of what works, and one precise command-line failure`, () => {
      const run = results.get(entry.student)!;
      const status = Object.fromEntries(run.experiments.map((experiment) => [experiment.id, experiment.status]));
      const failures = run.experiments.flatMap((experiment) => experiment.failures.map((failure) => `${experiment.id}: ${failure.message}`)).join('\n');
      expect(status, failures).to.deep.equal(Object.fromEntries([...entry.passed.map((id) => [id, 'passed']), [entry.failed, 'failed']]));
      const failed = run.experiments.find((experiment) => experiment.id === entry.failed)!;
      expect(run.score).to.equal(run.maxScore - failed.points);
      expect(failed.feedback?.[0]?.message, JSON.stringify(failed.feedback)).to.match(entry.cause);
      for (const experiment of run.experiments) expect(experiment.topology, experiment.id).to.equal('two-hosts');
    });
  }

  it('says, per program, where a hard-coded destination went and where socklab delivered it', () => {
    const client = results.get('client-localhost-12000')!.experiments.find((experiment) => experiment.id === 'tcp-works.client')!;
    const run = client.steps.find((step) => step.role === 'tcp-client')!;
    expect(run.world?.delivered).to.deep.include.members([
      {
        protocol: 'tcp',
        address: 'loopback',
        asked: 'localhost:12000',
        port: 12000,
        deliveredTo: `tcp-server (192.0.2.1:${client.ports.server})`,
        connections: 1,
        hardCodedAt: { file: 'TCPClient.py', line: 4, text: 'serverPort = 12000' },
        hostHardCodedAt: { file: 'TCPClient.py', line: 3, text: "serverName = 'localhost'" },
      },
    ]);
    const mail = results.get('mail-gmail')!.experiments.find((experiment) => experiment.id === 'mail-delivered')!;
    const client2 = mail.steps.find((step) => step.role === 'mail-client')!;
    expect(client2.world?.lookups).to.deep.include({ name: 'smtp.gmail.com', type: 'A', answer: '192.0.2.3', hardCodedAt: { file: 'MailClient.py', line: 10, text: "mailserver = ('smtp.gmail.com', 587)" } });
    expect(client2.world?.delivered.map((entry) => entry.asked)).to.deep.equal(['192.0.2.3:587']);
  });

  it('a server that binds a port below 1024 binds it, and the experiment goes on against the port it found', () => {
    const web = results.get('web-port-80')!.experiments.find((experiment) => experiment.id === 'web-page')!;
    expect(web.steps[0].world?.listening).to.deep.include({ protocol: 'tcp', actual: 80, given: web.ports.web });
  });

  it('leaves no namespace behind', () => {
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => pids.some((pid) => line.startsWith(`socklab-${pid}-`)));
    expect(left).to.deep.equal([]);
  });
});
