// `socklab grade` with the filesystem sandbox, end to end: a nosy student's server tries to read the
// other student's program, the specs and socklab's reference programs, and to overwrite the other
// student's file; a Java + C student is built and run inside the sandbox too. Then the control run:
// where bubblewrap is missing, `--sandbox` refuses to start, and the default runs on with a warning
// (and there the nosy student does read the other student's program, which shows what the sandbox
// prevents).
import { expect } from 'chai';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';

const correct = path.join(repoRoot, 'test', 'fixtures', 'submissions', 'student-correct');
const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

/** A correct TCPServer.py that first tries what a curious student might, and prints what happened. */
function nosyServer(targets: Record<string, string>, overwrite: string): string {
  const server = readFileSync(path.join(correct, 'TCPServer.py'), 'utf8');
  return `import sys
for what, file in ${JSON.stringify(Object.entries(targets))}:
    try:
        open(file, 'rb').read()
        print('NOSY', what, 'read', file=sys.stderr)
    except OSError as error:
        print('NOSY', what, error.__class__.__name__, error.errno, file=sys.stderr)
try:
    open(${JSON.stringify(overwrite)}, 'w').write('print("pwned")')
    print('NOSY overwrite done', file=sys.stderr)
except OSError as error:
    print('NOSY overwrite', error.__class__.__name__, error.errno, file=sys.stderr)
sys.stderr.flush()
${server}`;
}

const JAVA_SERVER = `import java.io.*;
import java.net.*;

public class TCPServer {
    public static void main(String[] args) throws Exception {
        try (ServerSocket welcome = new ServerSocket(Integer.parseInt(args[0]), 50, InetAddress.getByName("127.0.0.1"))) {
            while (true) {
                try (Socket connection = welcome.accept()) {
                    byte[] data = connection.getInputStream().readAllBytes();
                    for (int i = 0; i < data.length; i++) if (data[i] >= 'a' && data[i] <= 'z') data[i] -= 32;
                    connection.getOutputStream().write(data);
                }
            }
        }
    }
}
`;

const C_CLIENT = `#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    char line[1024], reply[1024];
    struct addrinfo hints = {0}, *server;
    hints.ai_socktype = SOCK_STREAM;
    if (argc != 3 || getaddrinfo(argv[1], argv[2], &hints, &server) != 0) return 2;
    int sock = socket(server->ai_family, SOCK_STREAM, 0);
    if (connect(sock, server->ai_addr, server->ai_addrlen) != 0) { perror("connect"); return 1; }
    if (!fgets(line, sizeof line, stdin)) return 1;
    line[strcspn(line, "\\n")] = 0;
    send(sock, line, strlen(line), 0);
    shutdown(sock, SHUT_WR);
    ssize_t total = 0, got;
    while ((got = recv(sock, reply + total, sizeof reply - 1 - total, 0)) > 0) total += got;
    reply[total] = 0;
    printf("From Server: %s\\n", reply);
    close(sock);
    return 0;
}
`;

describe('socklab grade in the filesystem sandbox (end to end)', function () {
  this.timeout(240_000);
  let temp: TempDir;
  let classDir: string;
  let targets: Record<string, string>;
  let victim: string;
  beforeEach(() => {
    temp = new TempDir();
    classDir = path.join(temp.path, 'class');
    cpSync(correct, path.join(classDir, 'honest'), { recursive: true });
    cpSync(correct, path.join(classDir, 'nosy'), { recursive: true });
    victim = path.join(classDir, 'honest', 'TCPServer.py');
    targets = {
      classmate: victim,
      specs: path.join(repoRoot, 'specs', 'task1', 'tcp-uppercase.yaml'),
      reference: path.join(repoRoot, 'services', 'tcp-server.ts'),
    };
    temp.write('class/nosy/TCPServer.py', nosyServer(targets, victim));
    temp.write('class/polyglot/TCPServer.java', JAVA_SERVER);
    temp.write('class/polyglot/TCPClient.c', C_CLIENT);
  });
  afterEach(() => temp.remove());

  const nosyLines = (out: string): string[] => {
    const run = readJson<RunResult>(path.join(out, 'nosy', 'results.json'));
    const server = run.experiments[0].steps[0].process!;
    expect(server.stderr, JSON.stringify(server)).to.contain('NOSY');
    return server.stderr.split('\n').filter((line) => line.startsWith('NOSY'));
  };

  it('confines each student: nothing outside their own copy is visible, and Java and C build and run', async function () {
    needsTool(this, 'bwrap');
    const original = readFileSync(victim, 'utf8');
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['grade', '--class', classDir, '-s', 'specs/task1', '-g', '^tcp-lowercase$', '-o', out], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    expect(readFileSync(path.join(out, 'grades.csv'), 'utf8')).to.equal('student,tcp-lowercase.server,tcp-lowercase.client,total,max,why\nhonest,0.5,0.5,1,1,\nnosy,0.5,0.5,1,1,\npolyglot,0.5,0.5,1,1,\n');
    // errno 2 is ENOENT: the folders do not exist in the student's view of the machine.
    expect(nosyLines(out)).to.deep.equal(['NOSY classmate FileNotFoundError 2', 'NOSY specs FileNotFoundError 2', 'NOSY reference FileNotFoundError 2', 'NOSY overwrite FileNotFoundError 2']);
    expect(readFileSync(victim, 'utf8')).to.equal(original);
    for (const student of ['honest', 'nosy', 'polyglot']) {
      const run = readJson<RunResult>(path.join(out, student, 'results.json'));
      expect(run.environment.sandbox, student).to.match(/^bubblewrap [\d.]+: /);
      // Blame isolation: tcp-lowercase.server runs their server with the reference client, .client
      // their client with the reference server. Their programs are sandboxed; socklab's own are not.
      const sandboxed = run.experiments.map((experiment) => experiment.steps.map((step) => step.process?.sandboxed ?? false));
      expect(sandboxed, student).to.deep.equal([
        [true, false],
        [false, true],
      ]);
      // Where socklab is root, the experiment's programs run as its own unprivileged user.
      if (process.getuid?.() === 0) {
        const theirs = run.experiments.flatMap((experiment) => experiment.steps.flatMap((step) => (step.process?.sandboxed ? [step.process.uid] : [])));
        for (const uid of theirs) expect(uid, student).to.be.a('number').and.not.equal(0);
      }
    }
    const page = readFileSync(path.join(out, 'nosy', 'index.html'), 'utf8');
    expect(page).to.match(/<dt>sandbox<\/dt><dd>bubblewrap [\d.]+: submission programs run as (a user of their experiment&#39;s own|socklab&#39;s user .*), each in its own PID namespace, and see the system read-only/);
    // Graded programs run in their experiment's own network world, and in the sandbox.
    expect(page).to.match(/<dt>ran in<\/dt><dd>network namespace socklab-[\d-]+[sc], the filesystem sandbox \(bubblewrap\)( as user \d+)?<\/dd>/);
    const polyglot = readJson<RunResult>(path.join(out, 'polyglot', 'results.json'));
    expect(polyglot.experiments.map((experiment) => experiment.steps.map((step) => step.process?.command[0]))).to.deep.equal([
      ['java', 'node'],
      ['node', './TCPClient'],
    ]);
  });

  it('without bubblewrap: --sandbox refuses to start; the default warns, notes it, and runs unconfined', async () => {
    const env = { SOCKLAB_BWRAP: path.join(temp.path, 'no-bwrap-here') };
    const out = path.join(temp.path, 'out');
    const args = ['grade', '--class', classDir, '-s', 'specs/task1', '-g', '^tcp-lowercase$', '-o', out];
    const required = await runCli([...args, '--sandbox'], { cwd: repoRoot, env });
    expect(required.exitCode).to.equal(3);
    expect(required.stderr).to.contain('--sandbox: bubblewrap is not installed');
    expect(required.stderr).to.contain('apt-get install bubblewrap');

    const fallback = await runCli(args, { cwd: repoRoot, env });
    expect(fallback.exitCode, fallback.stdout + fallback.stderr).to.equal(0);
    expect(fallback.stderr).to.contain('warning: submission programs run without a filesystem sandbox');
    const run = readJson<RunResult>(path.join(out, 'nosy', 'results.json'));
    expect(run.environment.sandbox).to.match(/^unavailable: bubblewrap is not installed/);
    expect(run.experiments[0].steps[0].notes.join('\n')).to.contain('not sandboxed, the program could read and write any file socklab can');
    // The control: unconfined, the nosy student reads everything and overwrites the classmate's program.
    expect(nosyLines(out)).to.deep.equal(['NOSY classmate read', 'NOSY specs read', 'NOSY reference read', 'NOSY overwrite done']);
  });

  it('--no-sandbox runs the programs unconfined and says so in the results', async () => {
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['grade', path.join(classDir, 'honest'), '-s', 'specs/task1', '-g', '^tcp-lowercase$', '-o', out, '--no-sandbox'], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    const run = readJson<RunResult>(path.join(out, 'results.json'));
    expect(run.environment.sandbox).to.equal('off');
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).to.contain('<dt>sandbox</dt><dd>off</dd>').and.not.contain('the filesystem sandbox (bubblewrap)');
    expect(run.experiments[0].steps.map((step) => step.process?.sandboxed)).to.deep.equal([undefined, undefined]);
  });
});
