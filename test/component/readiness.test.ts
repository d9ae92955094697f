// Readiness against real programs written like a student's (Python, host and port from argv): a
// listener is found without ever being connected to, a server listening elsewhere is reported with
// its port as soon as that is clear, a bound UDP socket counts, and the two ways of reading the kernel's socket tables (the
// socket diagnostics that ss asks for, /proc/PID/net) agree.
import { expect } from 'chai';
import type { Program } from '../../harness/process/program.js';
import net from 'node:net';
import { diagnosticsTable, procTable, tcpListeners } from '../../harness/process/proc-sockets.js';
import { waitUntilReady } from '../../harness/process/readiness.js';
import { allocatePorts, releasePorts } from '../../harness/plan/allocate-ports.js';
import { needsTool } from '../support/tools.js';
import { python, TCP_SERVER, UDP_SERVER } from '../fixtures/readiness/servers.js';

describe('readiness (waitUntilReady) against real programs', function () {
  this.timeout(20_000);
  let ports: Record<string, number>;
  const programs: Program[] = [];
  beforeEach(async () => {
    ports = await allocatePorts(['given', 'other'], '127.0.0.1');
  });
  afterEach(async () => {
    for (const program of programs.splice(0)) await program.stop();
    releasePorts(Object.values(ports));
  });

  it('finds a TCP listener of the program without connecting to it', async () => {
    const server = python(TCP_SERVER, [String(ports.given)]);
    programs.push(server);
    const verdict = await waitUntilReady(server, { tcp: ports.given }, 10_000, new AbortController().signal);
    expect(verdict).to.include({ ready: true });
    expect(verdict.ready && verdict.listening).to.deep.equal({ protocol: 'tcp', port: ports.given, loopbackOnly: true });
    await server.stop();
    expect(server.result({ stillRunning: true }).stdout).to.equal('accepted 0\n');
  });

  it('decides about a server that listens on another port instead of waiting out the deadline, and names that port', async () => {
    const server = python(TCP_SERVER, [String(ports.other)]);
    programs.push(server);
    const verdict = await waitUntilReady(server, { tcp: ports.given }, 15_000, new AbortController().signal);
    expect(verdict.ready).to.equal(false);
    expect(!verdict.ready && verdict.listeningElsewhere).to.deep.equal([ports.other]);
    expect(!verdict.ready && verdict.reason).to.match(new RegExp(`; it listens on ${ports.other} instead$`));
    // Decided once it listened elsewhere for a while, not at the 15 s deadline.
    expect(verdict.waitedMs).to.be.below(15_000);
    const discovered = await waitUntilReady(server, { tcp: ports.given, discover: true }, 1000, new AbortController().signal);
    expect(discovered.ready && discovered.listening).to.deep.equal({ protocol: 'tcp', port: ports.other, loopbackOnly: true });
  });

  it('counts a bound UDP socket, on every address', async () => {
    const server = python(UDP_SERVER, [String(ports.given)]);
    programs.push(server);
    const verdict = await waitUntilReady(server, { udp: ports.given }, 10_000, new AbortController().signal);
    expect(verdict.ready && verdict.listening).to.deep.equal({ protocol: 'udp', port: ports.given, loopbackOnly: false });
  });

  it('reads the same listeners from the socket diagnostics (ss) as from /proc/PID/net', async function () {
    needsTool(this, 'ss');
    const tcp = python(TCP_SERVER, [String(ports.given)]);
    const udp = python(UDP_SERVER, [String(ports.other)]);
    programs.push(tcp, udp);
    await waitUntilReady(tcp, { tcp: ports.given }, 10_000, new AbortController().signal);
    await waitUntilReady(udp, { udp: ports.other }, 10_000, new AbortController().signal);
    for (const [protocol, program, port] of [['tcp', tcp, ports.given], ['udp', udp, ports.other]] as const) {
      const fromProc = (await procTable(program.pid!, protocol)).filter((entry) => entry.port === port);
      const fromDiagnostics = await diagnosticsTable(protocol, port);
      expect(fromProc, protocol).to.have.length(1);
      expect(fromDiagnostics, protocol).to.deep.equal(fromProc);
    }
  });

  it('reads the TCP listeners from the head of /proc/PID/net/tcp, as the whole table has them, with connections after them', async () => {
    const server = python(TCP_SERVER, [String(ports.given)]);
    programs.push(server);
    await waitUntilReady(server, { tcp: ports.given }, 10_000, new AbortController().signal);
    // An established connection in the table (socklab's own, to the server), listed after every listener.
    const client = net.connect(ports.given, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    try {
      const whole = (await procTable(server.pid!, 'tcp')).sort((a, b) => a.port - b.port || a.inode.localeCompare(b.inode));
      const head = (await tcpListeners(server.pid!)).sort((a, b) => a.port - b.port || a.inode.localeCompare(b.inode));
      expect(head).to.deep.equal(whole);
      const own = whole.filter((entry) => entry.port === ports.given);
      expect(own).to.have.length(1);
      // Asked for the program's socket alone, the reading stops once it is found, and finds it.
      expect(await tcpListeners(server.pid!, new Set([own[0].inode]))).to.deep.include(own[0]);
    } finally {
      client.destroy();
    }
  });

  it('finds a socket made early and bound and listened to later', async () => {
    const late = `
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
time.sleep(0.5)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(5)
time.sleep(30)
`;
    const server = python(late, [String(ports.given)]);
    programs.push(server);
    const verdict = await waitUntilReady(server, { tcp: ports.given }, 10_000, new AbortController().signal);
    expect(verdict.ready && verdict.listening).to.deep.equal({ protocol: 'tcp', port: ports.given, loopbackOnly: true });
  });
});
