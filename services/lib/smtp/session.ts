import { authenticate, chooseAuthMechanism, isLoopbackAddress, type Credentials } from './auth.js';
import { SmtpFailure, expectCode, type SmtpConnection, type Transcript, type TlsUpgradeOptions } from './connection.js';
import { dataPayload } from './encoding.js';
import { buildMessage } from './message.js';
import { describeCapabilities, formatReply, parseCapabilities, type Capabilities, type SmtpReply } from './reply.js';

// The SMTP dialog of RFC 5321 §3, one command at a time (no pipelining, so the transcript reads as
// the lab describes it): greeting, EHLO (or HELO), [STARTTLS, EHLO], [AUTH], MAIL FROM, RCPT TO for
// each recipient, DATA, the message, ".", QUIT. Every reply code is checked; the first unexpected one
// ends the session with an SmtpFailure, and the caller still says QUIT.

export interface MailRequest {
  from: string;
  to: string[];
  subject: string;
  body: Buffer;
  heloName: string;
  /** STARTTLS settings, or undefined to stay on plain TCP. */
  startTls?: TlsUpgradeOptions & { host: string };
  credentials?: Credentials;
}

export interface MailResult {
  /** The server's reply to the end of the message: the message is now its responsibility. */
  accepted: SmtpReply;
  /** Set when QUIT went wrong after the message was accepted, which is worth a warning, not a failure. */
  quitProblem?: string;
}

interface Greeting {
  capabilities: Capabilities;
  /** false after falling back to HELO: no extensions at all. */
  extended: boolean;
}

export async function sendMail(connection: SmtpConnection, request: MailRequest, transcript: Transcript): Promise<MailResult> {
  const greeting = await connection.readReply('the greeting');
  if (greeting.code !== 220) throw new SmtpFailure(`${connection.server} refused the session in its greeting: ${formatReply(greeting)}`);
  let hello = await sayHello(connection, request.heloName);

  if (request.startTls) {
    if (!hello.extended || !hello.capabilities.has('STARTTLS')) {
      const offered = hello.extended ? `its EHLO reply lists: ${describeCapabilities(hello.capabilities)}` : 'it does not even support EHLO';
      throw new SmtpFailure(`--starttls: ${connection.server} does not offer STARTTLS (${offered})`);
    }
    await connection.expect('STARTTLS', [220]);
    const secure = await connection.startTls(request.startTls.host, request.startTls);
    const cipher = secure.getCipher();
    const checked = request.startTls.verify ? 'certificate verified' : 'certificate NOT verified (--insecure)';
    transcript.note(`TLS established: ${secure.getProtocol() ?? 'TLS'} ${cipher.name}, ${checked}`);
    // RFC 3207 §4.2: forget everything learned before TLS and ask again.
    hello = await sayHello(connection, request.heloName);
  }

  if (request.credentials) await logIn(connection, request, hello);

  const message = buildMessage({
    from: request.from,
    to: request.to,
    subject: request.subject,
    body: request.body,
    heloName: request.heloName,
    eightBitMime: hello.capabilities.has('8BITMIME'),
  });
  const bodyParameter = message.transferEncoding === '8bit' ? ' BODY=8BITMIME' : '';
  await connection.expect(`MAIL FROM:<${request.from}>${bodyParameter}`, [250]);
  // All recipients or none: a rejected one ends the session before any message is sent, so no one
  // gets a copy that the sender believes failed.
  for (const recipient of request.to) await connection.expect(`RCPT TO:<${recipient}>`, [250, 251]);
  await connection.expect('DATA', [354]);
  const summary = [...message.headerLines, '', `<message body: ${message.bodyBytes} bytes, ${message.transferEncoding}>`, '.'];
  const accepted = expectCode(await connection.sendData(dataPayload(message.content), summary), [250], 'the message sent after DATA');

  return { accepted, quitProblem: await quitAfterSuccess(connection) };
}

/** EHLO, or HELO when the server answers EHLO with a 5xx (RFC 5321 §4.1.4: an old server). */
async function sayHello(connection: SmtpConnection, heloName: string): Promise<Greeting> {
  const ehlo = await connection.command(`EHLO ${heloName}`);
  if (ehlo.code === 250) return { capabilities: parseCapabilities(ehlo), extended: true };
  if (ehlo.code < 500) throw new SmtpFailure(`EHLO ${heloName} rejected: ${formatReply(ehlo)}`);
  await connection.expect(`HELO ${heloName}`, [250]);
  return { capabilities: new Map(), extended: false };
}

async function logIn(connection: SmtpConnection, request: MailRequest, hello: Greeting): Promise<void> {
  const credentials = request.credentials!;
  if (!request.startTls && !isLoopbackAddress(connection.remoteAddress)) {
    throw new SmtpFailure(
      `refusing to send the password of ${credentials.user} to ${connection.server} unencrypted: ` +
        'use --starttls (AUTH without TLS is allowed only to a loopback address)',
    );
  }
  const mechanism = chooseAuthMechanism(hello.capabilities);
  if (!mechanism) {
    const offered = hello.capabilities.get('AUTH');
    const what = offered ? `it offers only AUTH ${offered.join(' ')}` : 'its EHLO reply lists no AUTH';
    throw new SmtpFailure(`--user: ${connection.server} does not offer AUTH PLAIN or LOGIN (${what})`);
  }
  await authenticate(connection, mechanism, credentials);
}

async function quitAfterSuccess(connection: SmtpConnection): Promise<string | undefined> {
  try {
    const reply = await connection.command('QUIT');
    return reply.code === 221 ? undefined : `QUIT got ${formatReply(reply)} instead of 221`;
  } catch (error) {
    if (error instanceof SmtpFailure) return `QUIT: ${error.message}`;
    throw error;
  } finally {
    connection.close();
  }
}
