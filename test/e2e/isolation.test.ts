// Worlds end to end: Task 1's problems on a server host and a client host (network namespaces joined
// through the Internet host's bridge), captured on the bridge; a hard-coded port in parallel
// experiments; and nothing left behind, including namespaces a crashed run left.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { World } from '../../harness/network/world.js';
import { fixtureProgram, repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';

/** Namespaces a socklab run (the CLI of `pid`) left; other runs on the machine (other sessions' tests) are theirs. */
const namespaces = (pid: number) => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((line) => line.startsWith(`socklab-${pid}-`));

describe('two-host isolation (end to end)', function () {
  this.timeout(180_000);
  let temp: TempDir;
  before(function () {
    needsTool(this, 'netns');
  });
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  it('runs the Task 1 problems on two hosts, captures them on the veth, and removes the namespaces', async function () {
    needsTool(this, 'tcpdump');
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['run', path.join(repoRoot, 'specs', 'task1', 'problems.yaml'), '--isolate', '-o', out, '-r', 'json,console'], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
    for (const experiment of results.experiments) {
      expect(experiment.topology, experiment.id).to.equal('two-hosts');
      expect(experiment.hosts).to.deep.equal({ server: '192.0.2.1', client: '192.0.2.2', internet: '192.0.2.3' });
      expect(experiment.capture?.interface, experiment.id).to.equal('br0');
      const client = experiment.steps.find((step) => step.role?.endsWith('-client') && step.process);
      expect(client?.process?.namespace).to.equal(experiment.notes?.[0].match(/client 192\.0\.2\.2 \((socklab-[\d-]+c)\)/)?.[1]);
    }
    const [p1] = results.experiments;
    expect(p1.capture?.summary?.events[0].text).to.match(/^connection refused: SYN to server \(192\.0\.2\.1:\d+\) answered by RST$/);
    expect(namespaces(cli.pid)).to.deep.equal([]);
  });

  it('hands out a world whose links all carry packets already, so that no first packet waits for an ARP retry', async () => {
    // A link that is up but not yet activated by the kernel drops what is sent (a first ARP request,
    // retried a second later): every link of the world, the Internet host's own included, is
    // operationally up when the world is handed out, and each host reaches the others at once.
    const world = await World.create();
    try {
      const up = (namespace: string) => execFileSync('ip', ['-n', namespace, '-o', 'link', 'show', 'up'], { encoding: 'utf8' }).split('\n').filter((line) => / state UP /.test(line)).map((line) => /^\d+: ([^:@]+)/.exec(line)![1]);
      const { server, client, internet } = world.hosts;
      expect(up(server.namespace)).to.include('eth0');
      expect(up(client.namespace)).to.include('eth0');
      expect(up(internet.namespace)).to.include.members(['eth0', 'vs', 'vc', 'vi']);
      const refused = (from: string, to: string) =>
        execFileSync('ip', ['netns', 'exec', from, 'python3', '-c', `import socket\ntry:\n    socket.create_connection(('${to}', 9), timeout=5)\nexcept ConnectionRefusedError:\n    print('refused')`], { encoding: 'utf8' }).trim();
      for (const [from, to] of [[client, server], [client, internet], [internet, server], [server, client]]) expect(refused(from.namespace, to.address), `${from.name} → ${to.name}`).to.equal('refused');
    } finally {
      await world.destroy();
    }
  });

  it('lets parallel experiments use the same fixed port (a hard-coded 12000) without colliding', async () => {
    const lab = temp.write(
      'lab.yaml',
      `lab: fixed
roles:
  listener: { description: listens on PORT, usage: PORT, reference: [node, "${fixtureProgram('tcp-listen.mjs')}"], host: server }
  tcp-client: { description: reference client, usage: HOST PORT, reference: [node, "${path.join(repoRoot, 'dist', 'services', 'tcp-client.js')}"] }
`,
    );
    const experiment = (id: string) => `- id: ${id}
  title: a server on the fixed port 12000
  topology: two-hosts
  steps:
    - start: listener
      args: ["12000", "0", "{{server.host}}"]
      ready: { tcp: 12000 }
    - run: tcp-client
      args: [server, "12000"]
      stdin: "x\\n"
      expect: { stdout: { contains: hi } }
`;
    temp.write('specs/fixed.yaml', ['fixed-a', 'fixed-b', 'fixed-c'].map(experiment).join(''));
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '-o', out, '-r', 'json', '-j', '3'], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
    expect(results.experiments.map((e) => e.status)).to.deep.equal(['passed', 'passed', 'passed']);
    expect(namespaces(cli.pid)).to.deep.equal([]);
  });

  it('sweeps namespaces left by a dead socklab run at startup, and only those', async () => {
    execFileSync('ip', ['netns', 'add', 'socklab-999999999-0-s']);
    execFileSync('ip', ['netns', 'add', 'not-socklab-keep-me']);
    try {
      const cli = await runCli(['run', 'tcp-lowercase', '--isolate', '-o', path.join(temp.path, 'out'), '-r', 'json'], { cwd: repoRoot });
      expect(cli.exitCode, cli.stderr).to.equal(0);
      const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      expect(left).to.not.contain('socklab-999999999-0-s');
      expect(left).to.contain('not-socklab-keep-me');
    } finally {
      execFileSync('ip', ['netns', 'delete', 'not-socklab-keep-me']);
      try {
        execFileSync('ip', ['netns', 'delete', 'socklab-999999999-0-s'], { stdio: 'ignore' });
      } catch {
        // Already swept, as expected.
      }
    }
  });
});
