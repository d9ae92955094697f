import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { createCertificateAuthority, issueCertificate } from '../../harness/fixtures/certificates.js';

// mail-client against a real SMTP server (nodemailer's smtp-server) on 127.0.0.1, run as a child
// process exactly as a student or the harness would run it.

const CLIENT = fileURLToPath(new URL('../../services/mail-client.js', import.meta.url));

interface ClientResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** What the server saw of one message. */
interface Delivery {
  from: string;
  to: string[];
  content: string;
  user: unknown;
  secure: boolean;
  bodyType: string;
}

interface TestServer {
  port: number;
  deliveries: Delivery[];
  /** Every command line the server received, AUTH arguments already redacted by smtp-server. */
  commands: string[];
  logins: { method: string; username?: string; password?: string | null }[];
}

describe('mail-client against smtp-server', function () {
  this.timeout(30_000);
  const children = new Set<ChildProcess>();
  const servers: SMTPServer[] = [];
  /** The server's certificate, issued by a CA made for the test whose certificate is in caFile. */
  let tls: { key: string; cert: string; caFile: string; dir: string };

  before(async () => {
    const ca = await createCertificateAuthority('mail-client test CA');
    const issued = await issueCertificate(ca, { names: ['localhost'], ips: ['127.0.0.1'] });
    const dir = mkdtempSync(path.join(tmpdir(), 'mail-client-test-'));
    const caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, ca.certificate);
    tls = { key: issued.privateKey, cert: issued.certificate, caFile, dir };
  });

  after(() => rmSync(tls.dir, { recursive: true, force: true }));

  afterEach(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.clear();
    await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  function runClient(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<ClientResult> {
    const child = spawn(process.execPath, [CLIENT, ...args], { env: { ...process.env, ...options.env }, stdio: 'pipe' });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
    return new Promise((resolve) => child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr })));
  }

  async function startServer(options: SMTPServerOptions = {}): Promise<TestServer> {
    const state: TestServer = { port: 0, deliveries: [], commands: [], logins: [] };
    const ignore = () => {};
    const server = new SMTPServer({
      key: tls.key,
      cert: tls.cert,
      authOptional: true,
      disableReverseLookup: true,
      logger: {
        level: ignore, trace: ignore, info: ignore, warn: ignore, error: ignore, fatal: ignore,
        debug: (meta: { tnx?: string }, ...message: unknown[]) => {
          if (meta?.tnx === 'command') state.commands.push(String(message[1]));
        },
      },
      onAuth(auth, _session, callback) {
        state.logins.push({ method: auth.method, username: auth.username, password: auth.password });
        if (auth.password === 'right horse battery') return callback(null, { user: auth.username });
        return callback(Object.assign(new Error('5.7.8 bad credentials'), { responseCode: 535 }));
      },
      onData(stream, session: SMTPServerSession, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const envelope = session.envelope;
          state.deliveries.push({
            from: envelope.mailFrom ? envelope.mailFrom.address : '',
            to: envelope.rcptTo.map((recipient) => recipient.address),
            content: Buffer.concat(chunks).toString('utf8'),
            user: session.user,
            secure: session.secure,
            bodyType: envelope.bodyType ?? '',
          });
          callback(null, 'queued as TEST1');
        });
      },
      ...options,
    });
    servers.push(server);
    state.port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        const address = server.server.address();
        resolve(address && typeof address === 'object' ? address.port : 0);
      }),
    );
    return state;
  }

  const envelopeArgs = (port: number) => ['--server', '127.0.0.1', '--port', String(port), '--from', 'alice@example.com'];

  /** Header value by name (unfolded), undefined when the header is missing. */
  function header(content: string, name: string): string | undefined {
    const head = content.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]/g, ' ');
    const line = head.split('\r\n').find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    return line?.slice(name.length + 1).trim();
  }

  const bodyOf = (content: string) => content.slice(content.indexOf('\r\n\r\n') + 4);

  it('delivers a message: envelope, headers and body, then reports the final 250', async () => {
    const server = await startServer();
    const result = await runClient([...envelopeArgs(server.port), '--to', 'bob@example.com', '--subject', 'Lab 4', '--body', 'Hello Bob,\nthis is SMTP.\n', '--helo', 'client.test']);
    expect(result.stderr).to.equal('');
    expect(result.exitCode).to.equal(0);
    expect(result.stdout).to.equal('mail-client: message accepted: 250 queued as TEST1\n');
    expect(server.deliveries).to.have.length(1);
    const [delivery] = server.deliveries;
    expect(delivery!.from).to.equal('alice@example.com');
    expect(delivery!.to).to.deep.equal(['bob@example.com']);
    expect(header(delivery!.content, 'From')).to.equal('alice@example.com');
    expect(header(delivery!.content, 'To')).to.equal('bob@example.com');
    expect(header(delivery!.content, 'Subject')).to.equal('Lab 4');
    expect(header(delivery!.content, 'Date')).to.match(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/);
    expect(header(delivery!.content, 'Message-ID')).to.match(/^<[0-9a-f]+@client\.test>$/);
    expect(header(delivery!.content, 'MIME-Version')).to.equal('1.0');
    expect(header(delivery!.content, 'Content-Type')).to.equal('text/plain; charset=utf-8');
    expect(bodyOf(delivery!.content), 'bare LF became CRLF').to.equal('Hello Bob,\r\nthis is SMTP.\r\n');
    expect(server.commands).to.deep.equal(['EHLO client.test', 'MAIL FROM:<alice@example.com>', 'RCPT TO:<bob@example.com>', 'DATA', 'QUIT']);
  });

  it('sends to several recipients and lists them all in To', async () => {
    const server = await startServer();
    const recipients = ['bob@example.com', 'carol@example.org', 'dave@example.net'];
    const result = await runClient([...envelopeArgs(server.port), ...recipients.flatMap((to) => ['--to', to]), '--body', 'hi all']);
    expect(result.exitCode).to.equal(0);
    expect(server.deliveries[0]!.to).to.deep.equal(recipients);
    expect(header(server.deliveries[0]!.content, 'To')).to.equal(recipients.join(', '));
  });

  it('reads the body from stdin and keeps lines starting with "." intact (dot-stuffing)', async () => {
    const server = await startServer();
    const body = '.hidden line\n..two dots\n.\nlast line\n';
    const result = await runClient([...envelopeArgs(server.port), '--to', 'bob@example.com'], { stdin: body });
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(bodyOf(server.deliveries[0]!.content)).to.equal('.hidden line\r\n..two dots\r\n.\r\nlast line\r\n');
  });

  it('takes capabilities from every line of the multi-line EHLO reply (8BITMIME, 8bit body)', async () => {
    const server = await startServer();
    const result = await runClient([...envelopeArgs(server.port), '--to', 'bob@example.com', '--subject', 'Grüße ✓', '--body', 'Grüße aus dem Labor ✓\n', '--verbose']);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^S: 250-.*\nS: 250-8BITMIME\n(S: 250-.*\n)*S: 250 .*$/m);
    const delivery = server.deliveries[0]!;
    expect(delivery.bodyType).to.equal('8bitmime');
    expect(header(delivery.content, 'Content-Transfer-Encoding')).to.equal('8bit');
    expect(header(delivery.content, 'Subject')).to.equal(`=?UTF-8?B?${Buffer.from('Grüße ✓').toString('base64')}?=`);
    expect(bodyOf(delivery.content)).to.equal('Grüße aus dem Labor ✓\r\n');
  });

  it('falls back to quoted-printable for a non-ASCII body when 8BITMIME is not offered', async () => {
    const server = await startServer({ hide8BITMIME: true });
    const result = await runClient([...envelopeArgs(server.port), '--to', 'bob@example.com', '--body', 'Grüße = ✓\n']);
    expect(result.exitCode, result.stderr).to.equal(0);
    const delivery = server.deliveries[0]!;
    expect(delivery.bodyType).to.equal('7bit');
    expect(header(delivery.content, 'Content-Transfer-Encoding')).to.equal('quoted-printable');
    expect(bodyOf(delivery.content)).to.equal('Gr=C3=BC=C3=9Fe =3D =E2=9C=93\r\n');
  });

  it('stops at a rejected recipient: exit 1, one stderr line naming the reply, no message, still QUIT', async () => {
    const server = await startServer({
      onRcptTo(address, _session, callback) {
        if (address.address === 'nobody@example.com') return callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
        callback();
      },
    });
    const result = await runClient([...envelopeArgs(server.port), '--to', 'bob@example.com', '--to', 'nobody@example.com', '--body', 'x']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.equal('mail-client: RCPT TO:<nobody@example.com> rejected: 550 5.1.1 no such user\n');
    expect(result.stdout).to.equal('');
    expect(server.deliveries).to.deep.equal([]);
    expect(server.commands).to.not.include('DATA');
    expect(server.commands.at(-1)).to.equal('QUIT');
  });

  it('reports ECONNREFUSED when nothing listens on the port', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(address && typeof address === 'object' ? address.port : 0));
      });
    });
    const result = await runClient([...envelopeArgs(port), '--to', 'bob@example.com', '--body', 'x']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.equal(`mail-client: cannot connect to 127.0.0.1:${port}: ECONNREFUSED (connection refused)\n`);
  });

  it('upgrades with STARTTLS (certificate trusted via --tls-ca), then logs in with AUTH PLAIN', async () => {
    const server = await startServer();
    const result = await runClient(
      [...envelopeArgs(server.port), '--to', 'bob@example.com', '--body', 'secret plans', '--starttls', '--tls-ca', tls.caFile, '--user', 'alice', '--password-env', 'LAB_SMTP_PASSWORD', '--helo', 'client.test'],
      { env: { LAB_SMTP_PASSWORD: 'right horse battery' } },
    );
    expect(result.stderr).to.equal('');
    expect(result.exitCode).to.equal(0);
    expect(server.logins).to.deep.equal([{ method: 'PLAIN', username: 'alice', password: 'right horse battery' }]);
    expect(server.deliveries).to.have.length(1);
    expect(server.deliveries[0]!.secure, 'the message went over TLS').to.equal(true);
    expect(server.deliveries[0]!.user).to.equal('alice');
    expect(server.commands.slice(0, 4)).to.deep.equal(['EHLO client.test', 'STARTTLS', 'EHLO client.test', 'AUTH PLAIN /* secured */']);
  });

  it('refuses a certificate from a CA it was not told to trust (no --tls-ca), and says how to trust it', async () => {
    const server = await startServer();
    const result = await runClient([...envelopeArgs(server.port), '--to', 'bob@example.com', '--body', 'x', '--starttls']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.match(/^mail-client: TLS handshake with 127\.0\.0\.1:\d+ failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE \(unable to verify the first certificate\); trust the server certificate with --tls-ca FILE/);
    expect(server.deliveries).to.deep.equal([]);
  });

  it('accepts any certificate with --insecure', async () => {
    const server = await startServer();
    const result = await runClient([...envelopeArgs(server.port), '--to', 'bob@example.com', '--body', 'x', '--starttls', '--insecure', '--verbose']);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^\* TLS established: TLSv1\.[23] .*, certificate NOT verified \(--insecure\)$/m);
    expect(server.deliveries[0]!.secure).to.equal(true);
  });

  it('fails clearly when --starttls is asked for and the server does not offer it', async () => {
    const server = await startServer({ hideSTARTTLS: true });
    const result = await runClient([...envelopeArgs(server.port), '--to', 'bob@example.com', '--body', 'x', '--starttls', '--insecure']);
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.match(/^mail-client: --starttls: 127\.0\.0\.1:\d+ does not offer STARTTLS \(its EHLO reply lists: PIPELINING, 8BITMIME, .*\)\n$/);
    expect(server.commands.at(-1)).to.equal('QUIT');
    expect(server.deliveries).to.deep.equal([]);
  });

  it('logs in with AUTH LOGIN when PLAIN is not offered, password from the environment variable', async () => {
    const server = await startServer({ authMethods: ['LOGIN'], allowInsecureAuth: true });
    const result = await runClient([...envelopeArgs(server.port), '--to', 'bob@example.com', '--body', 'x', '--user', 'alice', '--password-env', 'MY_PASS'], {
      env: { MY_PASS: 'right horse battery' },
    });
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(server.logins).to.deep.equal([{ method: 'LOGIN', username: 'alice', password: 'right horse battery' }]);
    expect(server.deliveries[0]!.user).to.equal('alice');
  });

  it('exits 1 with the server reply when the password is wrong', async () => {
    const server = await startServer({ allowInsecureAuth: true });
    const result = await runClient([...envelopeArgs(server.port), '--to', 'bob@example.com', '--body', 'x', '--user', 'alice', '--password-env', 'MY_PASS'], {
      env: { MY_PASS: 'wrong' },
    });
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.equal('mail-client: AUTH PLAIN **** rejected: 535 5.7.8 bad credentials\n');
    expect(result.stderr).to.not.include('wrong');
    expect(server.deliveries).to.deep.equal([]);
  });

  it('--verbose prints the dialog as C:/S: lines and never the credentials', async () => {
    const server = await startServer({ allowInsecureAuth: true });
    const password = 'right horse battery';
    const result = await runClient([...envelopeArgs(server.port), '--to', 'bob@example.com', '--body', 'line 1\nline 2\n', '--user', 'alice', '--password-env', 'MY_PASS', '--verbose', '--helo', 'client.test'], {
      env: { MY_PASS: password },
    });
    expect(result.exitCode, result.stderr).to.equal(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^\* connected to 127\.0\.0\.1:\d+ from 127\.0\.0\.1:\d+$/);
    expect(lines[1]).to.match(/^S: 220 /);
    expect(lines).to.include.members(['C: EHLO client.test', 'C: AUTH PLAIN ****', 'S: 235 Authentication successful', 'C: MAIL FROM:<alice@example.com>', 'C: RCPT TO:<bob@example.com>', 'C: DATA', 'C: <message body: 16 bytes, 7bit>', 'C: .', 'S: 250 queued as TEST1', 'C: QUIT', 'S: 221 Bye']);
    expect(lines.at(-1)).to.equal('mail-client: message accepted: 250 queued as TEST1');
    for (const line of lines.slice(0, -1)) expect(line).to.match(/^(C:|S:|\*)( |$)/);
    const secrets = [password, Buffer.from(`\0alice\0${password}`).toString('base64'), Buffer.from(password).toString('base64')];
    for (const secret of secrets) expect(result.stdout + result.stderr).to.not.include(secret);
  });
});
