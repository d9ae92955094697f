// A role on another machine, for real: an OpenSSH server started in a network namespace is the other
// machine (test/support/ssh-machine.ts), and the CLI runs experiments with --ssh (socklab starts the
// program there) and --remote (it was started there by hand). Nothing socklab starts may be left in
// the namespace afterwards, not even a program that ignores SIGTERM or leaves its process group.
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { SshMachine } from '../support/ssh-machine.js';
import { TempDir } from '../support/temp-dir.js';
import { missingTool, needsTool } from '../support/tools.js';

/** A Task 1 server as students write it: the port from the command line, every address of its machine. */
const STUDENT_SERVER = path.join(repoRoot, 'test', 'fixtures', 'world', 'client-localhost-12000', 'TCPServer.py');

/**
 * A server that ignores SIGTERM, with a child in its process group that ignores it too, and a
 * grandchild that leaves the group (its own session): only SIGKILL to the group, and the sweep by
 * SOCKLAB_TAG, end them all.
 */
const STUBBORN_SERVER = `import os, signal, sys, time
from socket import socket, SOL_SOCKET, SO_REUSEADDR
signal.signal(signal.SIGTERM, signal.SIG_IGN)
if os.fork() == 0:
    while True: time.sleep(1)
if os.fork() == 0:
    os.setsid()
    while True: time.sleep(1)
server = socket()
server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
server.bind(('', int(sys.argv[1])))
server.listen(5)
print('ignoring SIGTERM', flush=True)
while True:
    client, _ = server.accept()
    client.sendall(client.recv(1024).upper())
    client.close()
`;

/** A server that accepts every connection and never reads or answers: its client waits in recv(). */
const SILENT_SERVER = `import socket, sys
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('', int(sys.argv[1])))
server.listen(5)
print('listening', flush=True)
held = []
while True:
    held.append(server.accept()[0])
`;

const results = (out: string) => JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;

describe('a role on another machine (an SSH server in a network namespace)', function () {
  this.timeout(240_000);
  let machine: SshMachine | undefined;
  let temp: TempDir;
  const byHand: ChildProcess[] = [];

  before(async function () {
    needsTool(this, 'netns', 'ssh', 'sshd');
    machine = await SshMachine.start();
  });
  after(async () => {
    await machine?.stop();
  });
  beforeEach(() => (temp = new TempDir()));

  /** Starts a server there as a person would, and resolves once it printed that it listens; afterEach kills it. */
  async function startByHand(command: string[]): Promise<ChildProcess> {
    const server = machine!.startByHand(command);
    byHand.push(server);
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
      server.once('exit', (code) => reject(new Error(`the server started by hand exited (${code})`)));
    });
    return server;
  }
  afterEach(async () => {
    for (const child of byHand.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    temp.remove();
  });

  it('--ssh: the reference tcp-server runs there, the reference client here, and passes; every report says so; nothing is left there', async () => {
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['run', 'tcp-lowercase', '--capture', ...machine!.sshOptions('tcp-server'), '-o', out, '-r', 'console,json,junit,html,gradescope'], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    expect(cli.stdout).to.include(`socklab: tcp-server runs on root@${machine!.address}`);
    const [experiment] = results(out).experiments;
    expect(experiment.status).to.equal('passed');
    expect(experiment.deployment?.kind).to.equal('remote');
    expect(experiment.deployment?.remote).to.deep.equal([{ role: 'tcp-server', startedBy: 'ssh', host: machine!.address, user: 'root', hostName: experiment.deployment?.remote?.[0].hostName }]);
    expect(experiment.hosts).to.deep.equal({ server: machine!.address, client: machine!.localAddress, internet: machine!.localAddress });
    const [server, client] = experiment.steps;
    expect(server.process?.remote?.startedBy).to.equal('ssh');
    expect(server.process?.command.slice(0, 3)).to.deep.equal(['node', '--no-memory-reducer', `${server.process?.remote?.folder}/socklab/dist/services/tcp-server.js`]);
    expect(server.process?.stdout).to.match(new RegExp(`tcp-server listening on ${machine!.address.replace(/\./g, '\\.')}:\\d+\\n`));
    expect(server.process?.killed).to.equal(true);
    expect(server.notes.join('\n')).to.include(`readiness checked with ss on`);
    expect(client.process?.remote).to.equal(undefined);
    expect(client.process?.stdout).to.equal('HELLO WORLD\n');
    // The other end's capture, copied back, beside this end's (where tcpdump runs here).
    if (!missingTool('tcpdump')) {
      expect(experiment.capture?.status).to.equal('captured');
      expect(experiment.capture?.remote?.[0]).to.include({ status: 'captured', pcapFile: 'tcp-lowercase-remote.pcap' });
      expect(experiment.capture?.remote?.[0].packetCount).to.be.greaterThan(3);
      expect(existsSync(path.join(out, 'tcp-lowercase-remote.pcap'))).to.equal(true);
    }
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).to.include(`<property name="tcp-lowercase.deployment" value="two machines: tcp-server on root@${machine!.address}`);
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).to.include(`<strong>Deployed:</strong> two machines: tcp-server on root@${machine!.address}`);
    expect(readFileSync(path.join(out, 'gradescope.json'), 'utf8')).to.include(`*Deployed: two machines: tcp-server on root@${machine!.address}`);
    expect(cli.stdout).to.match(/✓ tcp-lowercase .*tcp-server over SSH on root@/);
    expect(existsSync(server.process!.remote!.folder!), 'the temporary folder there').to.equal(false);
    expect(await machine!.leftoversAfter()).to.deep.equal([]);
  });

  it("--ssh with a student's Python server (the port from argv): its folder is copied there and it passes", async () => {
    const submission = path.join(temp.path, 'student');
    temp.write('student/TCPServer.py', readFileSync(STUDENT_SERVER, 'utf8'));
    temp.write('student/socklab.yaml', 'roles:\n  tcp-server: python3 TCPServer.py\n');
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['run', 'tcp-lowercase', '--submission', submission, ...machine!.sshOptions('tcp-server'), '-o', out, '-r', 'json'], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    const [experiment] = results(out).experiments;
    const server = experiment.steps[0].process!;
    expect(server.command).to.deep.equal(['python3', 'TCPServer.py', String(experiment.ports.server)]);
    expect(server.cwd).to.equal(`${server.remote?.folder}/program`);
    expect(server.stdout).to.equal('The server is ready to receive\n');
    expect(experiment.steps[1].process?.stdout).to.equal('HELLO WORLD\n');
    // Programs here run on this machine's own network, not in a world: a world's hosts cannot reach the other machine.
    expect(experiment.topology).to.equal('loopback');
    expect(await machine!.leftoversAfter()).to.deep.equal([]);
  });

  it('--ssh: a server that ignores SIGTERM is killed there with its whole process group, and one that left the group by its tag; nothing remains', async () => {
    temp.write('program/StubbornServer.py', STUBBORN_SERVER);
    temp.write('program/socklab.yaml', 'roles:\n  tcp-server: python3 StubbornServer.py\n');
    const spec = temp.write(
      'specs/stubborn.yaml',
      `- id: stubborn
  title: a server that ignores SIGTERM
  steps:
    - start: tcp-server
      args: ["{{ports.server}}"]
      ready: { tcp: "{{ports.server}}", stdout: ignoring }
    - run: tcp-client
      args: ["{{server.host}}", "{{ports.server}}"]
      stdin: "hello\\n"
      expect: { stdout: { contains: HELLO } }
    - stop: tcp-server
      expect: { running: true, stdout: { contains: "ignoring SIGTERM" } }
`,
    );
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['run', spec, '--submission', path.join(temp.path, 'program'), ...machine!.sshOptions('tcp-server'), '-o', out, '-r', 'json'], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    const [experiment] = results(out).experiments;
    const stop = experiment.steps[2];
    expect(stop.status).to.equal('passed');
    expect(stop.process).to.include({ exitCode: null, signal: 'SIGKILL', killed: true });
    // The grandchild in a session of its own was found by SOCKLAB_TAG when the folder there was removed.
    expect(experiment.notes?.join('\n')).to.match(/process\(es\) of this experiment had left their process group: killed/);
    expect(await machine!.leftoversAfter()).to.deep.equal([]);
    expect(existsSync(stop.process!.remote!.folder!)).to.equal(false);
  });

  it('--remote ROLE=HOST:PORT: socklab uses a server started there by hand, drives the client against it, and reports its output and exit as not observable', async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const server = await startByHand([process.execPath, path.join(repoRoot, 'dist', 'services', 'tcp-server.js'), String(port), '--host', machine!.address]);
    const spec = temp.write(
      'specs/by-hand.yaml',
      `- id: by-hand
  title: a server started by hand
  steps:
    - start: tcp-server
      args: ["{{ports.server}}"]
      ready: { tcp: "{{ports.server}}" }
    - run: tcp-client
      args: ["{{server.host}}", "{{ports.server}}"]
      stdin: "hello world\\n"
      expect: { stdout: { contains: "HELLO WORLD" } }
    - stop: tcp-server
      expect: { stdout: { contains: "sent 12 bytes" } }
`,
    );
    const out = path.join(temp.path, 'out');
    const task1 = path.join(repoRoot, 'specs', 'task1', 'tcp-uppercase.yaml');
    const cli = await runCli(['run', spec, task1, '-g', '^(by-hand|tcp-lowercase)$', '--remote', `tcp-server=${machine!.address}:${port}`, '-o', out, '-r', 'console,json,junit'], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    const run = results(out);
    for (const experiment of run.experiments) {
      expect(experiment.status, experiment.id).to.equal('passed');
      expect(experiment.ports.server).to.equal(port);
      expect(experiment.hosts.server).to.equal(machine!.address);
      expect(experiment.deployment?.remote).to.deep.equal([{ role: 'tcp-server', startedBy: 'hand', host: machine!.address, port }]);
      expect(experiment.roles).to.not.have.property('tcp-server');
      expect(experiment.steps[0].notes.join('\n')).to.include('a TCP connection from this side');
    }
    const byHandRun = run.experiments.find((experiment) => experiment.id === 'by-hand')!;
    const stop = byHandRun.steps[2];
    expect(stop.status).to.equal('skipped');
    expect(stop.expectations).to.deep.equal([]);
    expect(stop.notObservable?.map((entry) => entry.name)).to.deep.equal(['stdout']);
    expect(stop.notObservable?.[0].reason).to.match(/^not observable with --remote: tcp-server runs on .*, started by hand/);
    expect(cli.stdout).to.match(/✓ by-hand .*tcp-server by hand at .*; 1 check not observable with --remote\)/);
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).to.include('<property name="by-hand.notObservable" value="step 3 stdout: not observable with --remote, neither passed nor failed"/>');
    // socklab did not start it, so it leaves it running, as it found it.
    expect(server.exitCode).to.equal(null);
  });

  it('--remote: a client here waiting for a server there runs to its timeout; the other machine cannot be read, so the step is never ended as one where nothing can happen', async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    await startByHand(['python3', '-c', SILENT_SERVER, String(port)]);
    const spec = temp.write(
      'specs/silent.yaml',
      `- id: silent
  title: a server there that never answers
  steps:
    - start: tcp-server
      args: ["{{ports.server}}"]
      ready: { tcp: "{{ports.server}}" }
    - run: tcp-client
      args: ["{{server.host}}", "{{ports.server}}"]
      stdin: "hello\\n"
      timeout: 2s
      expect: { timedOut: true }
`,
    );
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['run', spec, '--remote', `tcp-server=${machine!.address}:${port}`, '-o', out, '-r', 'json'], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    const client = results(out).experiments[0].steps[1];
    expect(client.process?.timedOut).to.equal(true);
    expect(client.process?.stuck).to.equal(undefined);
    expect(client.notes).to.deep.equal(['stopped after 2s (timeout)']);
  });

  it('--ssh, interrupted (Ctrl-C) while the program runs there: it is stopped there and its folder removed, and the run exits 130', async () => {
    const spec = temp.write(
      'specs/long.yaml',
      `- id: long
  title: a server left running while the experiment waits
  steps:
    - start: tcp-server
      args: ["{{ports.server}}"]
      ready: { tcp: "{{ports.server}}" }
    - sleep: 50s
`,
    );
    let folder: string | undefined;
    let poll: NodeJS.Timeout | undefined;
    const cli = await runCli(['run', spec, ...machine!.sshOptions('tcp-server'), '-o', path.join(temp.path, 'out'), '-r', 'console,json'], {
      cwd: repoRoot,
      onStart: (pid) => {
        poll = setInterval(() => {
          const running = machine!.leftovers().find((line) => line.includes('tcp-server.js'));
          if (!running) return;
          folder = /(\/\S+)\/socklab\/dist\/services\/tcp-server\.js/.exec(running)?.[1];
          clearInterval(poll);
          process.kill(pid, 'SIGINT');
        }, 100);
      },
    });
    clearInterval(poll);
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(130);
    expect(folder).to.be.a('string');
    expect(existsSync(folder!)).to.equal(false);
    expect(await machine!.leftoversAfter()).to.deep.equal([]);
  });

  describe('bad input: one line, the usual exit codes, in bounded time', () => {
    it('a malformed --ssh is a usage error (exit 2)', async () => {
      const cli = await runCli(['run', 'tcp-lowercase', '--ssh', 'foo', '-r', 'json', '-o', path.join(temp.path, 'out')], { cwd: repoRoot });
      expect(cli.exitCode).to.equal(2);
      expect(cli.stderr).to.equal('socklab: --ssh expects ROLE=USER@HOST, e.g. tcp-server=student@192.168.1.20; got "foo"\n');
    });

    it('a refused key is a harness error (exit 3) that says what to do', async () => {
      const cli = await runCli(['run', 'tcp-lowercase', ...machine!.sshOptions('tcp-server', machine!.strangerKey), '-r', 'json', '-o', path.join(temp.path, 'out')], { cwd: repoRoot });
      expect(cli.exitCode).to.equal(3);
      expect(cli.stderr).to.match(new RegExp(`^socklab: --ssh tcp-server=root@${machine!.address.replace(/\./g, '\\.')}: cannot connect: root@\\S+: Permission denied \\(publickey\\)\\. \\(the machine refused every key offered: .*\\)\\n$`));
    });

    it('a machine that does not answer is a harness error (exit 3) within its ConnectTimeout', async () => {
      const cli = await runCli(['run', 'tcp-lowercase', '--ssh', `tcp-server=root@${machine!.unusedAddress}`, '--ssh-option', 'ConnectTimeout=2', '--ssh-option', `UserKnownHostsFile=${machine!.knownHosts}`, '-r', 'json', '-o', path.join(temp.path, 'out')], {
        cwd: repoRoot,
        timeoutMs: 60_000,
      });
      expect(cli.exitCode).to.equal(3);
      expect(cli.stderr.trim().split('\n')).to.have.length(1);
      expect(cli.stderr).to.match(new RegExp(`^socklab: --ssh tcp-server=root@${machine!.unusedAddress.replace(/\./g, '\\.')}: cannot connect: .*(timed out|No route to host)`));
    });
  });
});
