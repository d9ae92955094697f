import { readFileSync } from 'node:fs';
import { parseCommandLineOrExit, UsageError } from './lib/common/cli-args.js';
import { describeError } from './lib/common/describe-error.js';
import { EXIT_FAILURE, createProgramOutput } from './lib/common/program-output.js';
import { parseMailClientCommandLine, type MailClientCommandLine } from './lib/smtp/command-line.js';
import { createTranscript, openSmtpConnection, SmtpFailure, type SmtpConnection } from './lib/smtp/connection.js';
import { formatReply } from './lib/smtp/reply.js';
import { sendMail } from './lib/smtp/session.js';

// Reference mail client for lab Task 4: speaks SMTP by hand over a TCP socket (RFC 5321), optionally
// upgraded with STARTTLS, and sends one text message.

const USAGE = `usage: mail-client --server HOST --port PORT --from ADDRESS --to ADDRESS [--to ADDRESS ...]
                   [--subject TEXT] [--body TEXT] [--starttls [--tls-ca FILE | --insecure]]
                   [--user USER --password-env VAR] [--helo NAME] [--timeout DURATION] [--verbose]
  Sends one text/plain UTF-8 message through the SMTP server at HOST:PORT.
  --body TEXT          the message body; without it the body is read from stdin (all of it)
  --starttls           switch to TLS before anything else (fails if the server does not offer it)
  --tls-ca FILE        trust the CA or self-signed certificate in FILE (PEM) for --starttls
  --insecure           do not check the server's certificate (testing only)
  --user USER          log in with AUTH PLAIN (or LOGIN), allowed only with --starttls or to loopback
  --password-env VAR   the name of the environment variable that holds the password
  --helo NAME          the name to give in EHLO/HELO and in the Message-ID (default: this host's name)
  --timeout DURATION   bound on connecting and on each reply, e.g. 10s, 500ms, 2 (seconds); default 30s
  --verbose            print the dialog on stdout, "C: " for what we send, "S: " for the server's replies
  Exit status: 0 message accepted, 1 rejected or network failure (one line on stderr), 2 bad usage.`;

// The goodbye after a failure may wait this long for the server's 221.
const QUIT_AFTER_FAILURE_MS = 5000;

const output = createProgramOutput('mail-client');
const options = parseCommandLineOrExit(output, USAGE, () => {
  const parsed = parseMailClientCommandLine(process.argv.slice(2), process.env);
  return parsed === 'help' ? parsed : { ...parsed, ca: readTrustedCertificates(parsed.tlsCaFile) };
});

// The body is read before connecting: a person typing it should not hold a connection open that
// the server would drop after a few minutes of silence.
const body = options.body ?? (await readAllOfStdin());
const transcript = createTranscript(options.verbose, (line) => output.say(line));
const connection = await openSmtpConnection({ host: options.server, port: options.port, timeoutMs: options.timeoutMs, transcript }).catch(
  (error: unknown) => failWith(error),
);

try {
  const result = await sendMail(connection, {
    from: options.from,
    to: options.to,
    subject: options.subject,
    body,
    heloName: options.heloName,
    startTls: options.startTls ? { host: options.server, ca: options.ca, verify: !options.insecure } : undefined,
    credentials: options.credentials,
  }, transcript);
  if (result.quitProblem) output.warn(`warning: the message was accepted, but ${result.quitProblem}`);
  output.say(`mail-client: message accepted: ${formatReply(result.accepted)}`);
  process.exit(0);
} catch (error) {
  await failAfterQuit(connection, error);
}

function readTrustedCertificates(file: MailClientCommandLine['tlsCaFile']): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`--tls-ca ${file}: cannot read it: ${describeError(error)}`);
  }
}

async function readAllOfStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) process.stderr.write('Type the message body, then Ctrl-D on a line of its own.\n');
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  } catch (error) {
    output.fail(`cannot read the message body from stdin: ${describeError(error)}`);
  }
  return Buffer.concat(chunks);
}

/** One line on stderr, then QUIT if the connection still works, then exit 1. */
async function failAfterQuit(open: SmtpConnection, error: unknown): Promise<never> {
  if (!(error instanceof SmtpFailure)) throw error;
  output.warn(error.message);
  await open.quitQuietly(Math.min(options.timeoutMs, QUIT_AFTER_FAILURE_MS));
  process.exit(EXIT_FAILURE);
}

function failWith(error: unknown): never {
  if (error instanceof SmtpFailure) output.fail(error.message);
  throw error;
}
