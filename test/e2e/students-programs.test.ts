// Programs as students write them (issue #15 item 5), graded end to end the way a human grader runs
// them: found by what they do in any folder, started in their own folder with the command line they
// take (read from their source, a socklab.yaml template, or tried in order after a usage error), an
// interactive client judged by its output, and hard-coded hosts failing only the command-line
// experiments (their host check), with the line that writes them. One or two experiments per student, all at once.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExperimentResult, RunResult, StepResult } from '../../harness/model/result.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';

const corpus = path.join(repoRoot, 'test', 'fixtures', 'corpus');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'conventions');

const students: Record<string, { folder: string; specs: string[]; grep: string }> = {
  subfolders: { folder: path.join(corpus, '05-subfolders-web-indexerror'), specs: ['specs/task1', 'specs/task2'], grep: '^tcp-lowercase$|^web-hello$' },
  portOnly: { folder: path.join(corpus, '18-client-loopback-port-only'), specs: ['specs/task1'], grep: '^tcp-lowercase$|^tcp-server-port-from-command-line$|^tcp-client-address-from-command-line$' },
  interactive: { folder: path.join(corpus, '21-interactive-loop-clients'), specs: ['specs/task1'], grep: '^udp-lowercase$' },
  webTemplate: { folder: path.join(corpus, '20-argparse-web-server'), specs: ['specs/task2'], grep: '^web-hello$|^web-own-page$' },
  proxyTemplate: { folder: path.join(corpus, '12-threaded-proxy-works'), specs: ['specs/task3'], grep: '^proxy-fetch$' },
  hosts: { folder: path.join(fixtures, 'hosts-written-in'), specs: ['specs/task1'], grep: '^tcp-lowercase$|^udp-lowercase$|^tcp-client-address-from-command-line$|^udp-client-address-from-command-line$' },
  unread: { folder: path.join(fixtures, 'arguments-unread'), specs: ['specs/task1'], grep: '^tcp-lowercase$' },
};

describe("students' programs, run the way they are written (end to end)", function () {
  this.timeout(300_000);
  let temp: TempDir;
  const runs = new Map<string, RunResult>();

  before(async function () {
    needsTool(this, 'netns');
    needsTool(this, 'iptables');
    temp = new TempDir();
    // Three students at a time, two experiments each: the machine is shared, and readiness has its limits.
    const queue = Object.entries(students);
    const grade = async ([name, student]: (typeof queue)[number]) => {
      const out = path.join(temp.path, name);
      const cli = await runCli(['grade', student.folder, ...student.specs.flatMap((spec) => ['-s', spec]), '-g', student.grep, '-o', out, '-r', 'json', '-j', '2'], { cwd: repoRoot, timeoutMs: 240_000 });
      expect(cli.exitCode, `${name}: ${cli.stdout}${cli.stderr}`).to.equal(0);
      runs.set(name, JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult);
    };
    await Promise.all(
      [0, 1, 2].map(async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await grade(next);
      }),
    );
  });
  after(() => temp?.remove());

  const experiment = (student: string, id: string): ExperimentResult => {
    const found = runs.get(student)!.experiments.find((candidate) => candidate.id === id);
    expect(found, `${student}: ${id}`).to.not.equal(undefined);
    return found!;
  };
  const programStep = (result: ExperimentResult, role: string): StepResult => result.steps.find((step) => step.role === role && step.process?.invocation)!;
  const passed = (student: string, ...ids: string[]) => {
    for (const id of ids) {
      const result = experiment(student, id);
      expect(result.status, `${id}: ${result.failures.map((failure) => failure.message).join('; ')}`).to.equal('passed');
    }
  };

  it('finds programs by what they do in sub-folders, and runs the web server in its own folder (05)', () => {
    const run = runs.get('subfolders')!;
    expect(run.submission?.found?.find((found) => found.role === 'web-server')).to.deep.equal({
      role: 'web-server',
      program: '2-webserver/server.py',
      how: 'content',
      why: 'a web server (listen, accept, the request line parsed, an HTTP status line)',
      convention: { name: 'none', source: { file: '2-webserver/server.py', line: 8, text: "serverSocket.bind(('', 8000))" } },
    });
    passed('subfolders', 'tcp-lowercase.server', 'tcp-lowercase.client', 'web-hello');
    const web = experiment('subfolders', 'web-hello').steps[0];
    expect(web.process?.command).to.deep.equal(['python3', 'server.py']);
    expect(web.process?.cwd).to.match(/\/submission\/2-webserver$/);
    expect(web.notes.some((note) => /^placed socklab-hello\.html in .*\/submission\/2-webserver$/.test(note)), web.notes.join('\n')).to.equal(true);
    expect(web.world?.listening).to.deep.include({ actual: 8000 });
  });

  it('gives clients that take PORT only their port; the command-line experiment still judges HOST PORT (18)', () => {
    passed('portOnly', 'tcp-lowercase.server', 'tcp-lowercase.client', 'tcp-server-port-from-command-line');
    const client = programStep(experiment('portOnly', 'tcp-lowercase.client'), 'tcp-client');
    expect(client.process?.command.slice(1)).to.deep.equal(['TCPClient.py', String(experiment('portOnly', 'tcp-lowercase.client').ports.server)]);
    expect(client.process?.invocation).to.deep.equal({ convention: 'PORT', how: 'source', source: { file: 'TCPClient.py', line: 6, text: 'serverPort = int(sys.argv[1])' } });
    expect(client.world?.delivered[0]).to.deep.include({ asked: `localhost:${experiment('portOnly', 'tcp-lowercase.client').ports.server}`, hostHardCodedAt: { file: 'TCPClient.py', line: 5, text: "serverName = '127.0.0.1'" } });
    const strict = experiment('portOnly', 'tcp-client-address-from-command-line.client');
    expect(strict.status).to.equal('failed');
    expect(strict.score).to.equal(0);
    expect(programStep(strict, 'tcp-client').process?.invocation).to.deep.equal({ convention: 'HOST PORT', how: 'handout' });
  });

  it('judges an interactive client by its output: EOFError at input() is the end of its input (21)', () => {
    passed('interactive', 'udp-lowercase.client');
    const client = programStep(experiment('interactive', 'udp-lowercase.client'), 'udp-client');
    expect(client.process?.exitCode).to.equal(1);
    expect(client.process?.endedAtEndOfInput).to.deep.equal({ exception: 'EOFError', at: "message = input('Input lowercase sentence: ')" });
    expect(client.notes.join('\n')).to.contain('ended at end of input: EOFError');
  });

  it('fills socklab.yaml templates, and serves the pages where the HelloWorld.html is (20, 12)', () => {
    passed('webTemplate', 'web-hello', 'web-own-page');
    const web = experiment('webTemplate', 'web-hello').steps[0];
    expect(web.process?.command).to.deep.equal(['python3', 'server/web.py', '--port', String(experiment('webTemplate', 'web-hello').ports.web)]);
    expect(web.process?.invocation).to.deep.equal({ convention: 'template', how: 'template' });
    expect(web.notes.some((note) => /placed socklab-hello\.html in .*\/submission\/server\/www$/.test(note)), web.notes.join('\n')).to.equal(true);
    passed('proxyTemplate', 'proxy-fetch');
    expect(experiment('proxyTemplate', 'proxy-fetch').steps.find((step) => step.role === 'proxy')?.process?.command.slice(1, 3)).to.deep.equal(['web-proxy/web-proxy.py', '--port']);
  });

  it('delivers hard-coded hosts, and the command-line experiments take the host check, naming the name and its line', () => {
    passed('hosts', 'tcp-lowercase.client', 'udp-lowercase.client');
    // Each client reads its port and writes its host: half of each command-line point.
    for (const [id, role] of [['tcp-client-address-from-command-line.client', 'tcp-client'], ['udp-client-address-from-command-line.client', 'udp-client']]) {
      const result = experiment('hosts', id);
      expect(result.status, id).to.equal('failed');
      expect(result.score, id).to.equal(result.points / 2);
      const checks = Object.fromEntries(result.steps.find((step) => step.role === role)!.expectations.map((check) => [check.name, check.ok]));
      expect(checks, id).to.deep.include({ 'destination.host': false, 'destination.port': true });
    }
    const tcp = experiment('hosts', 'tcp-client-address-from-command-line.client').steps.find((step) => step.role === 'tcp-client')!;
    expect(tcp.world?.lookups.find((lookup) => lookup.name === 'servername')?.hardCodedAt).to.deep.equal({ file: 'TCPClient.py', line: 6, text: "serverName = 'servername'" });
    const udp = experiment('hosts', 'udp-client-address-from-command-line.client').steps.find((step) => step.role === 'udp-client')!;
    expect(udp.world?.delivered[0]).to.deep.include({ protocol: 'udp', address: 'loopback', hostHardCodedAt: { file: 'UDPClient.py', line: 5, text: "serverName = 'localhost'" } });
  });

  it('tries the conventions in order when the source does not tell, and keeps the first one not refused', () => {
    passed('unread', 'tcp-lowercase.server', 'tcp-lowercase.client');
    const server = programStep(experiment('unread', 'tcp-lowercase.server'), 'tcp-server').process!;
    expect(server.command.slice(1, 3)).to.deep.equal(['TCPServer.py', '0.0.0.0']);
    expect(server.invocation?.convention).to.equal('IP PORT');
    expect(server.invocation?.tried?.[0]).to.deep.include({ convention: 'PORT', ended: 'IndexError: list index out of range at port = int(args[2])' });
    const client = programStep(experiment('unread', 'tcp-lowercase.client'), 'tcp-client').process!;
    expect([client.invocation?.convention, client.invocation?.tried?.[0].ended]).to.deep.equal(['PORT', "ValueError: invalid literal for int() with base 10: '192.0.2.1' at port = int(argv[1])"]);
  });
});
