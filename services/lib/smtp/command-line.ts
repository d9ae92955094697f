import { hostname } from 'node:os';
import { durationOption, parseArgsOrUsage, parsePort, UsageError } from '../common/cli-args.js';
import type { Credentials } from './auth.js';

// The mail-client command line. Everything that would end up on an SMTP command line or in a header
// is checked here, so a CR or LF in an argument cannot smuggle in a command or a header.

export interface MailClientCommandLine {
  server: string;
  port: number;
  from: string;
  to: string[];
  subject: string;
  /** --body as UTF-8; undefined means read the body from stdin. */
  body?: Buffer;
  startTls: boolean;
  /** --tls-ca FILE (read by the program, not here). */
  tlsCaFile?: string;
  /** --insecure: do not check the server's certificate. */
  insecure: boolean;
  credentials?: Credentials;
  heloName: string;
  /** Bound on connecting and on each wait for a reply; default 30s. */
  timeoutMs: number;
  verbose: boolean;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  server: { type: 'string' },
  port: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string', multiple: true },
  subject: { type: 'string' },
  body: { type: 'string' },
  starttls: { type: 'boolean' },
  'tls-ca': { type: 'string' },
  insecure: { type: 'boolean' },
  user: { type: 'string' },
  'password-env': { type: 'string' },
  helo: { type: 'string' },
  timeout: { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

// A domain name, or an address literal such as [192.0.2.1] (RFC 5321 §4.1.3).
const HELO_NAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;

/** Returns 'help' for -h/--help; throws UsageError naming the option, what was expected and what was found. */
export function parseMailClientCommandLine(argv: string[], env: NodeJS.ProcessEnv): MailClientCommandLine | 'help' {
  if (argv.some((arg) => arg === '--password' || arg.startsWith('--password='))) {
    throw new UsageError('--password: a password on the command line is visible to every user of this machine (ps); put it in an environment variable and pass its name with --password-env VAR');
  }
  const { values } = parseArgsOrUsage({ args: argv, options: OPTIONS, allowPositionals: false });
  if (values.help) return 'help';

  const server = required(values.server, '--server', 'HOST');
  const port = parsePort(required(values.port, '--port', 'PORT'), '--port', false);
  const from = checkAddress(required(values.from, '--from', 'ADDRESS'), '--from');
  const to = (values.to ?? []).map((address) => checkAddress(address, '--to'));
  if (to.length === 0) throw new UsageError('missing --to ADDRESS: give at least one recipient');
  const subject = values.subject ?? '';
  if (/[\r\n]/.test(subject)) throw new UsageError('--subject: expected one line, got a line break');
  if (values['tls-ca'] !== undefined && !values.starttls) throw new UsageError('--tls-ca only applies together with --starttls');
  if (values.insecure && !values.starttls) throw new UsageError('--insecure only applies together with --starttls');
  if (values.insecure && values['tls-ca'] !== undefined) throw new UsageError('--insecure and --tls-ca contradict each other: choose one');
  const heloName = values.helo ?? defaultHeloName();
  if (!HELO_NAME.test(heloName)) {
    throw new UsageError(`--helo: expected a domain name such as client.example.com or an address literal such as [192.0.2.1], got "${heloName}"`);
  }
  return {
    server,
    port,
    from,
    to,
    subject,
    body: values.body === undefined ? undefined : Buffer.from(values.body, 'utf8'),
    startTls: values.starttls === true,
    tlsCaFile: values['tls-ca'],
    insecure: values.insecure === true,
    credentials: credentialsFrom(values.user, values['password-env'], env),
    heloName,
    timeoutMs: durationOption(values.timeout, '--timeout') ?? DEFAULT_TIMEOUT_MS,
    verbose: values.verbose === true,
  };
}

function required(value: string | undefined, option: string, placeholder: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing ${option} ${placeholder}`);
  return value;
}

/** An addr-spec as it goes between < and >: printable ASCII without spaces or angle brackets. */
function checkAddress(address: string, option: string): string {
  if (!/^[\x21-\x7e]+$/.test(address) || /[<>]/.test(address)) {
    const why = /[^\x00-\x7f]/.test(address) ? ' (non-ASCII addresses need SMTPUTF8, which mail-client does not speak)' : '';
    throw new UsageError(`${option}: expected an address such as alice@example.com, without spaces or <>, got ${JSON.stringify(address)}${why}`);
  }
  return address;
}

function credentialsFrom(user: string | undefined, variable: string | undefined, env: NodeJS.ProcessEnv): Credentials | undefined {
  if (user === undefined && variable === undefined) return undefined;
  if (user === undefined || user === '') throw new UsageError('--password-env needs --user USER');
  if (variable === undefined || variable === '') throw new UsageError('--user needs --password-env VAR, the name of the environment variable holding the password');
  const password = env[variable];
  if (password === undefined || password === '') {
    throw new UsageError(`--password-env ${variable}: the environment variable ${variable} is ${password === undefined ? 'not set' : 'empty'}`);
  }
  return { user, password };
}

/** This machine's name when it is a valid EHLO argument, else "localhost". */
export function defaultHeloName(): string {
  const name = hostname();
  return HELO_NAME.test(name) ? name : 'localhost';
}
