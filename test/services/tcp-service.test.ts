import { expect } from 'chai';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { ChildProcesses, runProgram, startServer, unusedTcpPort, waitForExit } from './support/service-process.js';

/** Lab-style client: send without a newline and without closing, then read what comes back. */
function labStyleExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no reply within 5s')));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (Buffer.byteLength(reply) >= Buffer.byteLength(text)) {
        socket.destroy();
        resolve(reply);
      }
    });
  });
}

function listenOn(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(address && typeof address === 'object' ? address.port : 0);
    }),
  );
}

describe('tcp-server and tcp-client', function () {
  const children = new ChildProcesses();
  const testServers: Server[] = [];
  const testSockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of testSockets.splice(0)) socket.destroy();
    await Promise.all(testServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    await children.killAll();
  });

  it('prints the ready line with the port it listens on', async () => {
    const server = await startServer(children, 'tcp-server');
    expect(server.stdout()).to.match(/^tcp-server listening on 127\.0\.0\.1:\d+\n/);
    expect(server.port).to.be.within(1, 65535);
  });

  it('round-trips a line through the client program and logs the connection', async () => {
    const server = await startServer(children, 'tcp-server');
    const result = await runProgram(children, 'tcp-client', ['127.0.0.1', String(server.port)], 'hello World &*! 42\nignored\n');
    expect(result.exitCode).to.equal(0);
    expect(result.stdout.toString('utf8')).to.equal('HELLO WORLD &*! 42\n');
    expect(result.stderr, 'no prompt when stdin is not a terminal').to.equal('');
    await server.waitForStdout(/^tcp-server: 127\.0\.0\.1:\d+ sent 18 bytes$/m);
  });

  it('sends --message instead of reading stdin', async () => {
    const server = await startServer(children, 'tcp-server');
    const result = await runProgram(children, 'tcp-client', ['127.0.0.1', String(server.port), '--message', 'from argv'], 'from stdin\n');
    expect(result.stdout.toString('utf8')).to.equal('FROM ARGV\n');
  });

  it('answers a lab-style client that sends without a newline and does not close', async () => {
    const server = await startServer(children, 'tcp-server');
    expect(await labStyleExchange(server.port, 'hello, lab! Socket ßé')).to.equal('HELLO, LAB! SOCKET ßé');
  });

  it('passes bytes that are not UTF-8 through stdin and back unchanged', async () => {
    const server = await startServer(children, 'tcp-server');
    const line = Buffer.from([0xff, 0xfe, 0x61, 0xc3, 0x9f, 0x80, 0x7a]);
    const result = await runProgram(children, 'tcp-client', ['127.0.0.1', String(server.port)], Buffer.concat([line, Buffer.from('\r\n')]));
    expect(result.exitCode).to.equal(0);
    expect(result.stdout).to.deep.equal(Buffer.from([0xff, 0xfe, 0x41, 0xc3, 0x9f, 0x80, 0x5a, 0x0a]));
  });

  it('round-trips an 8 KiB line', async () => {
    const server = await startServer(children, 'tcp-server');
    const line = 'the quick brown fox! '.repeat(400).slice(0, 8192);
    const result = await runProgram(children, 'tcp-client', ['127.0.0.1', String(server.port)], `${line}\n`);
    expect(result.stdout.toString('utf8')).to.equal(`${line.toUpperCase()}\n`);
  });

  it('serves several clients one after another', async () => {
    const server = await startServer(children, 'tcp-server');
    for (const word of ['first', 'second', 'third', 'fourth']) {
      const result = await runProgram(children, 'tcp-client', ['127.0.0.1', String(server.port), '--message', word]);
      expect(result.stdout.toString('utf8')).to.equal(`${word.toUpperCase()}\n`);
    }
    // The server logs a connection once it has closed, which can trail the client's exit a little.
    await server.waitForStdout(/(?: sent \d+ bytes\n[\s\S]*){4}/);
    expect(server.stdout().match(/ sent \d+ bytes$/gm)).to.have.length(4);
  });

  it('serves several clients at once, each getting its own reply', async () => {
    const server = await startServer(children, 'tcp-server');
    const programs = Array.from({ length: 6 }, (_, index) =>
      runProgram(children, 'tcp-client', ['127.0.0.1', String(server.port)], `program client ${index}\n`),
    );
    const rawClients = Array.from({ length: 30 }, (_, index) => labStyleExchange(server.port, `raw client ${index}`));
    const programResults = await Promise.all(programs);
    programResults.forEach((result, index) => expect(result.stdout.toString('utf8')).to.equal(`PROGRAM CLIENT ${index}\n`));
    (await Promise.all(rawClients)).forEach((reply, index) => expect(reply).to.equal(`RAW CLIENT ${index}`));
  });

  it('keeps serving after a client resets its connection mid-way', async () => {
    const server = await startServer(children, 'tcp-server');
    // One reset right after sending, one while the server still has 4 MiB of reply to write.
    for (const payload of [Buffer.from('half a sentence'), Buffer.alloc(4 * 1024 * 1024, 'x')]) {
      const socket = connect({ host: '127.0.0.1', port: server.port });
      testSockets.push(socket);
      socket.on('error', () => {});
      await new Promise((resolve) => socket.on('connect', resolve));
      await new Promise((resolve) => socket.write(payload, resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.resetAndDestroy();
    }
    await server.waitForStdout(/sent 15 bytes[\s\S]*sent \d{5,} bytes/);
    const result = await runProgram(children, 'tcp-client', ['127.0.0.1', String(server.port), '--message', 'still there?']);
    expect(result.stdout.toString('utf8')).to.equal('STILL THERE?\n');
    expect(server.child.exitCode).to.equal(null);
  });

  it('reports ECONNREFUSED and exits 1 when nothing listens on the port', async () => {
    const port = await unusedTcpPort();
    const result = await runProgram(children, 'tcp-client', ['127.0.0.1', String(port), '--message', 'hello']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.equal(`tcp-client: cannot connect to 127.0.0.1:${port}: ECONNREFUSED (connection refused)\n`);
    expect(result.stdout).to.have.length(0);
  });

  it('gives up with ETIMEDOUT when the server never closes the connection', async () => {
    const silent = createServer((socket) => testSockets.push(socket));
    testServers.push(silent);
    const port = await listenOn(silent);
    const result = await runProgram(children, 'tcp-client', ['127.0.0.1', String(port), '--message', 'anyone?', '--timeout', '500ms']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.match(/^tcp-client: no complete reply from 127\.0\.0\.1:\d+ within 500ms: ETIMEDOUT \(got 0 bytes; [^\n]*\)\n$/);
    expect(result.durationMs).to.be.at.least(450);
  });

  it('exits 1 naming EADDRINUSE when the port is busy', async () => {
    const occupant = createServer();
    testServers.push(occupant);
    const port = await listenOn(occupant);
    const result = await runProgram(children, 'tcp-server', [String(port)]);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.equal(`tcp-server: cannot listen on 127.0.0.1:${port}: EADDRINUSE (address already in use)\n`);
  });

  it('stops with exit status 0 on SIGTERM, even with a client connected', async () => {
    const server = await startServer(children, 'tcp-server');
    const idle = connect({ host: '127.0.0.1', port: server.port });
    testSockets.push(idle);
    idle.on('error', () => {});
    await new Promise((resolve) => idle.on('connect', resolve));
    const started = Date.now();
    server.child.kill('SIGTERM');
    expect(await waitForExit(server.child)).to.deep.equal({ exitCode: 0, signal: null });
    expect(Date.now() - started, 'closed without waiting for the forced exit').to.be.below(1500);
  });

  for (const [program, args] of [
    ['tcp-server', []],
    ['tcp-server', ['http']],
    ['tcp-server', ['5000', '--bogus']],
    ['tcp-client', ['127.0.0.1']],
    ['tcp-client', ['127.0.0.1', '99999']],
    ['tcp-client', ['127.0.0.1', '5000', '--timeout', 'soon']],
  ] as const) {
    it(`exits 2 with usage for: ${program} ${args.join(' ')}`, async () => {
      const result = await runProgram(children, program, [...args]);
      expect(result.exitCode).to.equal(2);
      expect(result.stderr).to.match(new RegExp(`^${program}: .+\\nusage: ${program} `));
    });
  }

  it('prints usage on stdout and exits 0 for --help', async () => {
    const result = await runProgram(children, 'tcp-client', ['--help']);
    expect(result.exitCode).to.equal(0);
    expect(result.stdout.toString('utf8')).to.match(/^usage: tcp-client HOST PORT/);
  });
});
