import { expect } from 'chai';
import { createSocket, type Socket } from 'node:dgram';
import { ChildProcesses, runProgram, startServer, unusedUdpPort, waitForExit } from './support/service-process.js';

function bindUdp(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}

describe('udp-server and udp-client', function () {
  const children = new ChildProcesses();
  const testSockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of testSockets.splice(0)) socket.close();
    await children.killAll();
  });

  it('round-trips a line through the client program and logs the datagram', async () => {
    const server = await startServer(children, 'udp-server');
    expect(server.stdout()).to.match(/^udp-server listening on 127\.0\.0\.1:\d+\n/);
    const result = await runProgram(children, 'udp-client', ['127.0.0.1', String(server.port)], 'hello UDP &*! 7\n');
    expect(result.exitCode).to.equal(0);
    expect(result.stdout.toString('utf8')).to.equal('HELLO UDP &*! 7\n');
    expect(result.stderr).to.equal('');
    await server.waitForStdout(/^udp-server: 127\.0\.0\.1:\d+ sent 15 bytes$/m);
  });

  it('answers a lab-style sendto/recvfrom client', async () => {
    const server = await startServer(children, 'udp-server');
    const client = await bindUdp();
    testSockets.push(client);
    const reply = new Promise<Buffer>((resolve) => client.once('message', resolve));
    client.send('lab style ßé!', server.port, '127.0.0.1');
    expect((await reply).toString('utf8')).to.equal('LAB STYLE ßé!');
  });

  it('passes bytes that are not UTF-8 through stdin and back unchanged', async () => {
    const server = await startServer(children, 'udp-server');
    const result = await runProgram(children, 'udp-client', ['127.0.0.1', String(server.port)], Buffer.from([0xff, 0xfe, 0x62, 0x0a]));
    expect(result.stdout).to.deep.equal(Buffer.from([0xff, 0xfe, 0x42, 0x0a]));
  });

  it('serves several clients at once', async () => {
    const server = await startServer(children, 'udp-server');
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, index) => runProgram(children, 'udp-client', ['127.0.0.1', String(server.port), '--message', `client ${index}`])),
    );
    results.forEach((result, index) => expect(result.stdout.toString('utf8')).to.equal(`CLIENT ${index}\n`));
  });

  it('times out with ETIMEDOUT and exit 1 when nothing listens (no ICMP error reported)', async () => {
    const port = await unusedUdpPort();
    const result = await runProgram(children, 'udp-client', ['127.0.0.1', String(port), '--message', 'anyone?', '--timeout', '1s']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.equal(`udp-client: no reply from 127.0.0.1:${port} within 1s: ETIMEDOUT (no datagram came back)\n`);
    expect(result.durationMs).to.be.at.least(900);
  });

  it('ignores datagrams that do not come from the server', async () => {
    const fakeServer = await bindUdp();
    const stranger = await bindUdp();
    testSockets.push(fakeServer, stranger);
    fakeServer.on('message', (_datagram, sender) => {
      stranger.send('FROM A STRANGER', sender.port, sender.address);
      setTimeout(() => fakeServer.send('FROM THE SERVER', sender.port, sender.address), 100);
    });
    const result = await runProgram(children, 'udp-client', ['127.0.0.1', String(fakeServer.address().port), '--message', 'x', '--timeout', '5s']);
    expect(result.exitCode).to.equal(0);
    expect(result.stdout.toString('utf8')).to.equal('FROM THE SERVER\n');
  });

  it('exits 1 naming EADDRINUSE when the port is busy', async () => {
    const occupant = await bindUdp();
    testSockets.push(occupant);
    const port = occupant.address().port;
    const result = await runProgram(children, 'udp-server', [String(port)]);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.equal(`udp-server: cannot listen on 127.0.0.1:${port}: EADDRINUSE (address already in use)\n`);
  });

  it('stops with exit status 0 on SIGTERM', async () => {
    const server = await startServer(children, 'udp-server');
    server.child.kill('SIGTERM');
    expect(await waitForExit(server.child)).to.deep.equal({ exitCode: 0, signal: null });
  });

  for (const [program, args] of [
    ['udp-server', ['65536']],
    ['udp-client', ['127.0.0.1']],
    ['udp-client', ['127.0.0.1', '5000', 'extra words']],
  ] as const) {
    it(`exits 2 with usage for: ${program} ${args.join(' ')}`, async () => {
      const result = await runProgram(children, program, [...args]);
      expect(result.exitCode).to.equal(2);
      expect(result.stderr).to.match(new RegExp(`^${program}: .+\\nusage: ${program} `));
    });
  }
});
