// Stillness against real programs written like a student's: it is seen where nothing can happen any
// more (a UDP client waiting for the reply to a datagram nobody received, a TCP client and server both
// in recv), and never where something still can (a sleep, a timeout shorter than the deadline, a busy
// loop, bytes waiting in a socket, a program inside the sandbox's process tree).
import { expect } from 'chai';
import os from 'node:os';
import { Program } from '../../harness/process/program.js';
import { untilStill } from '../../harness/process/stillness.js';
import { sandboxSupport } from '../../harness/process/sandbox-support.js';
import { allocatePorts, releasePorts } from '../../harness/plan/allocate-ports.js';
import { needsTool } from '../support/tools.js';

let counter = 0;

function python(source: string, args: string[] = [], options: { sandboxed?: boolean } = {}): Program {
  return new Program({
    command: ['python3', '-c', source, ...args],
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '' },
    tag: `test-${process.pid}-stillness-${counter++}`,
    ...(options.sandboxed ? { sandbox: { writable: [os.tmpdir()], cwd: os.tmpdir() } } : {}),
  });
}

const UDP_CLIENT = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'hello', ('127.0.0.1', int(sys.argv[1])))
print(s.recvfrom(2048))
`;

/** The handout's TCP server (one recv per client, then close). */
const TCP_SERVER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(1)
print('ready', flush=True)
while True:
    c, _ = s.accept()
    data = c.recv(1024)
    c.send(data.upper())
    c.close()
`;

/** The handout's TCP client after an empty line: it sends zero bytes, then waits for a reply. */
const TCP_CLIENT_EMPTY_LINE = `
import socket, sys
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(('127.0.0.1', int(sys.argv[1])))
c.send(b'')
print(c.recv(1024))
`;

const deadlineIn = (ms: number) => performance.now() + ms;

describe('stillness (untilStill) against real programs', function () {
  this.timeout(30_000);
  let ports: Record<string, number>;
  const programs: Program[] = [];
  const started = (program: Program) => (programs.push(program), program);
  const pids = (...list: Program[]) => () => list.flatMap((program) => (program.running && program.pid !== null ? [program.pid] : []));
  beforeEach(async function () {
    if (process.arch !== 'x64' && process.arch !== 'arm64') this.skip();
    ports = await allocatePorts(['a', 'b'], '127.0.0.1');
  });
  afterEach(async () => {
    for (const program of programs.splice(0)) await program.stop();
    releasePorts(Object.values(ports));
  });

  it('a UDP client waiting for the reply to a datagram nobody received is still', async () => {
    const client = started(python(UDP_CLIENT, [String(ports.a)]));
    const stillness = await untilStill(pids(client), deadlineIn(20_000), new AbortController().signal);
    expect(stillness?.waits).to.deep.equal([`python3 (pid ${client.pid}) in recvfrom`]);
    expect(client.running).to.equal(true);
  });

  it('a TCP client and server both waiting in recv are still (the handout client after an empty line)', async () => {
    const server = started(python(TCP_SERVER, [String(ports.a)]));
    await server.stdoutLine(/ready/, 10_000);
    const client = started(python(TCP_CLIENT_EMPTY_LINE, [String(ports.a)]));
    const stillness = await untilStill(pids(client, server), deadlineIn(20_000), new AbortController().signal);
    expect(stillness?.waits).to.have.members([`python3 (pid ${client.pid}) in recvfrom`, `python3 (pid ${server.pid}) in recvfrom`]);
  });

  it('is not still while a program sleeps, waits with a timeout before the deadline, or computes', async () => {
    for (const source of ['import time\ntime.sleep(30)', `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('127.0.0.1', ${ports.b}))\ns.settimeout(0.4)\nwhile True:\n    try: s.recvfrom(10)\n    except socket.timeout: pass`, 'while True: pass']) {
      const program = started(python(source));
      expect(await untilStill(pids(program), deadlineIn(1500), new AbortController().signal), source).to.equal(null);
      expect(program.running, source).to.equal(true);
    }
  });

  it('is not still while bytes wait in a socket of theirs', async () => {
    // The server accepts a connection, then waits on a second listening socket: the client's line sits
    // unread in the first connection, so the server could still read it.
    const server = started(
      python(
        `import socket, sys\nfirst = socket.socket(); first.bind(('127.0.0.1', int(sys.argv[1]))); first.listen(1)\nsecond = socket.socket(); second.bind(('127.0.0.1', 0)); second.listen(1)\nprint('ready', flush=True)\nc, _ = first.accept()\nsecond.accept()`,
        [String(ports.a)],
      ),
    );
    await server.stdoutLine(/ready/, 10_000);
    const client = started(python(`import socket, sys, time\nc = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\nc.sendall(b'unread')\nprint(c.recv(10))`, [String(ports.a)]));
    expect(await untilStill(pids(client, server), deadlineIn(1500), new AbortController().signal)).to.equal(null);
  });

  it('looks inside the sandbox: the program, not only bubblewrap around it', async function () {
    needsTool(this, 'bwrap');
    if (!sandboxSupport().bwrap) this.skip();
    const spinner = started(python('while True: pass', [], { sandboxed: true }));
    expect(await untilStill(pids(spinner), deadlineIn(1500), new AbortController().signal)).to.equal(null);
    const client = started(python(UDP_CLIENT, [String(ports.a)], { sandboxed: true }));
    const stillness = await untilStill(pids(client), deadlineIn(20_000), new AbortController().signal);
    expect(stillness?.waits.some((wait) => /^python3 \(pid \d+\) in recvfrom$/.test(wait))).to.equal(true);
  });
});
