// Stillness against real programs written like a student's: it is seen where nothing can happen any
// more (a UDP client waiting for the reply to a datagram nobody received, a TCP client and server both
// in recv, a server stuck on one connection while bytes wait on another, a thread spinning on a closed
// connection), and never where something still can (a sleep, a timeout shorter than the deadline, a
// busy loop, a fixture's own timer, a program inside the sandbox's process tree).
import { expect } from 'chai';
import os from 'node:os';
import { Program } from '../../harness/process/program.js';
import { SPIN_QUIET_MS, untilStill } from '../../harness/process/stillness.js';
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

/** A thread reads a connection its peer closed with the bytes/str mistake: recv() returns b'' for ever. */
const SPINNING_PROXY = `
import socket, threading, time
listener = socket.socket(); listener.bind(('127.0.0.1', 0)); listener.listen(1)
c = socket.create_connection(listener.getsockname())
peer, _ = listener.accept(); peer.close()
def relay():
    while True:
        data = c.recv(4096)
        if data == '': break
threading.Thread(target=relay).start()
print('spinning', flush=True)
listener.accept()
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

  it('is still when bytes wait in a socket that no thread of theirs waits on', async () => {
    // The server accepts a connection, then blocks in accept() on a second listening socket that nothing
    // will connect to: the client's line sits unread in the first connection for ever, and a person would
    // see that nothing can happen any more (a proxy stuck on one connection while the browser's next ones
    // wait to be accepted).
    const server = started(
      python(
        `import socket, sys\nfirst = socket.socket(); first.bind(('127.0.0.1', int(sys.argv[1]))); first.listen(1)\nsecond = socket.socket(); second.bind(('127.0.0.1', 0)); second.listen(1)\nprint('ready', flush=True)\nc, _ = first.accept()\nsecond.accept()`,
        [String(ports.a)],
      ),
    );
    await server.stdoutLine(/ready/, 10_000);
    const client = started(python(`import socket, sys, time\nc = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\nc.sendall(b'unread')\nprint(c.recv(10))`, [String(ports.a)]));
    const still = await untilStill(pids(client, server), deadlineIn(5000), new AbortController().signal);
    expect(still?.waits.map((wait) => wait.replace(/\(pid \d+\)/, '(pid)')).sort()).to.deep.equal(['python3 (pid) in accept4', 'python3 (pid) in recvfrom']);

  });

  it("a thread spinning on a connection its peer closed is still (Python 3's recv() returns b'', never '')", async () => {
    // The proxy loop of corpus 14: the main thread waits in accept(), the worker spins for ever.
    const proxy = started(python(SPINNING_PROXY));
    await proxy.stdoutLine(/spinning/, 10_000);
    const since = performance.now();
    const stillness = await untilStill(pids(proxy), deadlineIn(20_000), new AbortController().signal);
    expect(stillness?.waits).to.have.members([`python3 (pid ${proxy.pid}) in accept4`, `python3 (pid ${proxy.pid}) in a loop reading a connection its peer closed`]);
    expect(performance.now() - since, 'the spin lasted SPIN_QUIET_MS first').to.be.at.least(SPIN_QUIET_MS);
  });

  it('two threads spinning in one Python process (handing its interpreter lock to each other) are still', async () => {
    const proxy = started(python(SPINNING_PROXY.replace("threading.Thread(target=relay).start()", "threading.Thread(target=relay).start()\nthreading.Thread(target=relay).start()")));
    await proxy.stdoutLine(/spinning/, 10_000);
    const stillness = await untilStill(pids(proxy), deadlineIn(20_000), new AbortController().signal);
    expect(stillness?.waits).to.include(`python3 (pid ${proxy.pid}) in a loop reading a connection its peer closed`);
  });

  it('is not still while a thread holding a closed connection computes and sleeps in turn, or while a fixture says it is busy', async () => {
    const worker = started(python(SPINNING_PROXY.replace("if data == '': break", "sum(range(200000)); time.sleep(0.01)")));
    await worker.stdoutLine(/spinning/, 10_000);
    expect(await untilStill(pids(worker), deadlineIn(2500), new AbortController().signal)).to.equal(null);
    const client = started(python(UDP_CLIENT, [String(ports.a)]));
    const busy = () => 'the origin keeps 1 connection(s) alive';
    expect(await untilStill(pids(client), deadlineIn(1500), new AbortController().signal, busy)).to.equal(null);
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
