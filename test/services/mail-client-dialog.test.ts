import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';

// mail-client against a scripted SMTP server written on a raw TCP socket: the server answers what a
// test tells it to, byte for byte, so the tests can split replies, bundle them, stay silent, hang
// up, break the protocol, and see exactly what the client put on the wire.

const CLIENT = fileURLToPath(new URL('../../services/mail-client.js', import.meta.url));
const END_OF_DATA = '<end of data>';

/** A reply to write (CRLFs added between lines), null for silence, or a function for odd writes. */
type Answer = string | null | ((socket: Socket) => void);

interface ScriptedServer {
  port: number;
  commands: string[];
  /** The raw bytes the client sent after DATA's 354, terminator included. */
  data: Buffer[];
}

const STANDARD_ANSWERS: Record<string, string> = {
  EHLO: '250-scripted.test greets you\r\n250-8BITMIME\r\n250 SIZE 1000000',
  HELO: '250 scripted.test',
  MAIL: '250 2.1.0 sender ok',
  RCPT: '250 2.1.5 recipient ok',
  DATA: '354 end with <CRLF>.<CRLF>',
  [END_OF_DATA]: '250 2.0.0 queued as SCRIPTED',
  QUIT: '221 2.0.0 bye',
  RSET: '250 ok',
};

function runClient(children: Set<ChildProcess>, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLIENT, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdin.end();
  const started = Date.now();
  return new Promise<{ exitCode: number | null; stdout: string; stderr: string; durationMs: number }>((resolve) =>
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr, durationMs: Date.now() - started })),
  );
}

describe('mail-client SMTP dialog (scripted server)', function () {
  this.timeout(30_000);
  const children = new Set<ChildProcess>();
  const servers: Server[] = [];
  const sockets = new Set<Socket>();

  afterEach(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.clear();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  /** `answers` overrides STANDARD_ANSWERS by command verb (EHLO, MAIL, …, END_OF_DATA). */
  function startScriptedServer(answers: Record<string, Answer> = {}, greeting: Answer = '220 scripted.test ESMTP', host = '127.0.0.1'): Promise<ScriptedServer> {
    const state: ScriptedServer = { port: 0, commands: [], data: [] };
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      let pending = Buffer.alloc(0);
      let inData = false;
      const answer = (value: Answer | undefined) => {
        if (typeof value === 'function') value(socket);
        else if (typeof value === 'string') socket.write(`${value}\r\n`);
      };
      answer(greeting);
      socket.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        for (;;) {
          if (inData) {
            const end = pending.indexOf('\r\n.\r\n');
            if (end === -1) return;
            state.data.push(pending.subarray(0, end + 5));
            pending = pending.subarray(end + 5);
            inData = false;
            answer(END_OF_DATA in answers ? answers[END_OF_DATA] : STANDARD_ANSWERS[END_OF_DATA]);
            continue;
          }
          const lineEnd = pending.indexOf('\r\n');
          if (lineEnd === -1) return;
          const command = pending.subarray(0, lineEnd).toString('utf8');
          pending = pending.subarray(lineEnd + 2);
          state.commands.push(command);
          const verb = command.split(/[ :]/)[0]!.toUpperCase();
          const reply = verb in answers ? answers[verb] : STANDARD_ANSWERS[verb] ?? '500 5.5.2 unknown command';
          if (verb === 'DATA' && typeof reply === 'string' && reply.startsWith('354')) inData = true;
          answer(reply);
          if (verb === 'QUIT') socket.end();
        }
      });
    });
    servers.push(server);
    return new Promise((resolve) =>
      server.listen(0, host, () => {
        const address = server.address();
        state.port = address && typeof address === 'object' ? address.port : 0;
        resolve(state);
      }),
    );
  }

  const mailArgs = (port: number, host = '127.0.0.1') => ['--server', host, '--port', String(port), '--from', 'alice@example.com', '--to', 'bob@example.com', '--helo', 'client.test'];

  it('falls back to HELO when the server answers EHLO with 502', async () => {
    const server = await startScriptedServer({ EHLO: '502 5.5.1 EHLO not implemented' });
    const result = await runClient(children, [...mailArgs(server.port), '--body', 'old school']);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(server.commands).to.deep.equal(['EHLO client.test', 'HELO client.test', 'MAIL FROM:<alice@example.com>', 'RCPT TO:<bob@example.com>', 'DATA', 'QUIT']);
    expect(result.stdout).to.equal('mail-client: message accepted: 250 2.0.0 queued as SCRIPTED\n');
  });

  it('does not fall back to HELO after a 4xx to EHLO: that is a refusal, reported as such', async () => {
    const server = await startScriptedServer({ EHLO: '421 4.3.2 too busy, try later' });
    const result = await runClient(children, [...mailArgs(server.port), '--body', 'x']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.equal('mail-client: EHLO client.test rejected: 421 4.3.2 too busy, try later\n');
    expect(server.commands).to.deep.equal(['EHLO client.test', 'QUIT']);
  });

  it('reassembles a multi-line reply split across TCP chunks', async () => {
    const server = await startScriptedServer({
      EHLO: (socket) => {
        socket.write('250-scripted.test\r\n25');
        setTimeout(() => socket.write('0 8BITMIME\r\n'), 200);
      },
    });
    const result = await runClient(children, [...mailArgs(server.port), '--body', 'non-ASCII: ü', '--verbose']);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stdout).to.include('S: 250-scripted.test\nS: 250 8BITMIME\nC: MAIL FROM:<alice@example.com> BODY=8BITMIME\n');
    expect(server.commands[1], '8BITMIME came from the second chunk').to.equal('MAIL FROM:<alice@example.com> BODY=8BITMIME');
  });

  it('keeps a second reply that arrived in the same chunk for the next command', async () => {
    const server = await startScriptedServer({ MAIL: '250 sender ok\r\n250 recipient ok', RCPT: null });
    const result = await runClient(children, [...mailArgs(server.port), '--body', 'x', '--verbose']);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stdout).to.include('C: RCPT TO:<bob@example.com>\nC: DATA\n');
    expect(server.commands).to.deep.equal(['EHLO client.test', 'MAIL FROM:<alice@example.com>', 'RCPT TO:<bob@example.com>', 'DATA', 'QUIT']);
  });

  it('puts dot-stuffed, CRLF-only lines on the wire, ended by CRLF.CRLF', async () => {
    const server = await startScriptedServer();
    const result = await runClient(children, [...mailArgs(server.port), '--body', '.hidden\n..two\n.\nplain\r\nlast']);
    expect(result.exitCode, result.stderr).to.equal(0);
    const wire = server.data[0]!.toString('utf8');
    expect(wire.slice(wire.indexOf('\r\n\r\n') + 4)).to.equal('..hidden\r\n...two\r\n..\r\nplain\r\nlast\r\n.\r\n');
    expect(wire.replace(/\r\n/g, ''), 'no bare CR or LF').to.not.match(/[\r\n]/);
  });

  it('reports a message refused after DATA, then still says QUIT', async () => {
    const server = await startScriptedServer({ [END_OF_DATA]: '554 5.7.1 refused as spam' });
    const result = await runClient(children, [...mailArgs(server.port), '--body', 'x']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.equal('mail-client: the message sent after DATA rejected: 554 5.7.1 refused as spam\n');
    expect(result.stdout).to.equal('');
    expect(server.commands.at(-1)).to.equal('QUIT');
  });

  it('gives up with ETIMEDOUT when a reply does not come within --timeout, and still says QUIT', async () => {
    const server = await startScriptedServer({ EHLO: null });
    const result = await runClient(children, [...mailArgs(server.port), '--body', 'x', '--timeout', '500ms']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.match(/^mail-client: no reply from 127\.0\.0\.1:\d+ within 500ms while waiting for the reply to EHLO client\.test: ETIMEDOUT \(timed out\)\n$/);
    expect(result.durationMs).to.be.below(5000);
    expect(server.commands).to.deep.equal(['EHLO client.test', 'QUIT']);
  });

  it('reports a greeting other than 220', async () => {
    const server = await startScriptedServer({}, '554 5.3.2 no service for you');
    const result = await runClient(children, [...mailArgs(server.port), '--body', 'x']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.match(/^mail-client: 127\.0\.0\.1:\d+ refused the session in its greeting: 554 5\.3\.2 no service for you\n$/);
  });

  it('reports a peer that does not speak SMTP', async () => {
    const server = await startScriptedServer({}, 'HTTP/1.1 400 Bad Request');
    const result = await runClient(children, [...mailArgs(server.port), '--body', 'x']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.match(/^mail-client: 127\.0\.0\.1:\d+ broke the SMTP protocol while we were waiting for the greeting: unexpected reply line "HTTP\/1\.1 400 Bad Request"/);
  });

  it('reports a server that hangs up in the middle of the dialog', async () => {
    const server = await startScriptedServer({ RCPT: (socket) => socket.end() });
    const result = await runClient(children, [...mailArgs(server.port), '--body', 'x']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.match(/^mail-client: 127\.0\.0\.1:\d+ closed the connection while we were waiting for the reply to RCPT TO:<bob@example\.com>\n$/);
  });

  it('refuses data that arrives in plain text right after the 220 to STARTTLS', async () => {
    const server = await startScriptedServer({ EHLO: '250-scripted.test\r\n250 STARTTLS', STARTTLS: '220 go ahead\r\n250 injected' });
    const result = await runClient(children, [...mailArgs(server.port), '--body', 'x', '--starttls', '--insecure']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.match(/sent more data right after its 220 reply to STARTTLS; refusing to continue\n$/);
    expect(server.data).to.deep.equal([]);
  });

  it('refuses to send a password without TLS to a server that is not on loopback', async function () {
    const address = Object.values(networkInterfaces()).flat().find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
    if (!address) this.skip();
    const server = await startScriptedServer({ EHLO: '250-scripted.test\r\n250 AUTH PLAIN LOGIN' }, '220 scripted.test ESMTP', address);
    const result = await runClient(children, [...mailArgs(server.port, address), '--body', 'x', '--user', 'alice', '--password-env', 'MY_PASS'], { MY_PASS: 'hunter2' });
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.equal(`mail-client: refusing to send the password of alice to ${address}:${server.port} unencrypted: use --starttls (AUTH without TLS is allowed only to a loopback address)\n`);
    expect(server.commands).to.deep.equal(['EHLO client.test', 'QUIT']);
  });

  describe('usage errors (exit 2 with the usage text)', () => {
    const cases: [string, string[], Record<string, string>, RegExp][] = [
      ['no recipient', ['--server', 'h', '--port', '25', '--from', 'a@b'], {}, /^mail-client: missing --to ADDRESS: give at least one recipient\n/],
      ['a password on the command line', ['--server', 'h', '--port', '25', '--from', 'a@b', '--to', 'c@d', '--password', 'x'], {}, /^mail-client: --password: a password on the command line is visible/],
      ['an unset password variable', ['--server', 'h', '--port', '25', '--from', 'a@b', '--to', 'c@d', '--user', 'u', '--password-env', 'SOCKLAB_UNSET_VARIABLE'], {}, /^mail-client: --password-env SOCKLAB_UNSET_VARIABLE: the environment variable SOCKLAB_UNSET_VARIABLE is not set\n/],
      ['an address carrying a line break (command injection)', ['--server', 'h', '--port', '25', '--from', 'a@b', '--to', 'c@d>\r\nRCPT TO:<e@f'], {}, /^mail-client: --to: expected an address such as alice@example\.com, without spaces or <>/],
      ['a port that is not a number', ['--server', 'h', '--port', 'smtp', '--from', 'a@b', '--to', 'c@d'], {}, /^mail-client: --port: expected a port number 1–65535, got "smtp"\n/],
      ['a bad timeout', ['--server', 'h', '--port', '25', '--from', 'a@b', '--to', 'c@d', '--timeout', 'soon'], {}, /^mail-client: --timeout: expected a duration/],
    ];
    for (const [what, args, env, message] of cases) {
      it(`rejects ${what}`, async () => {
        const result = await runClient(children, args, env);
        expect(result.exitCode).to.equal(2);
        expect(result.stderr).to.match(message);
        expect(result.stderr).to.include('usage: mail-client --server HOST --port PORT');
        expect(result.stdout).to.equal('');
      });
    }
  });
});
