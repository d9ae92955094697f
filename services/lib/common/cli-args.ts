import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DurationError, parseDuration } from './duration.js';
import { EXIT_USAGE, type ProgramOutput } from './program-output.js';

// Command lines of the four reference programs. Servers: `PORT [--host H]` (or `--port PORT`);
// clients: `HOST PORT [--message TEXT] [--timeout DURATION]`. Errors name the argument, what was
// expected and what was found, and end as exit status 2 with the usage text.

export class UsageError extends Error {}

export interface ServerCommandLine {
  host: string;
  /** 0 asks the system for any free port; the ready line then shows the port actually bound. */
  port: number;
}

export interface ClientCommandLine {
  host: string;
  port: number;
  /** The bytes to send instead of a line from stdin (argv text is always UTF-8 encoded). */
  message?: Buffer;
  /** Bound on the whole exchange in milliseconds; undefined waits forever, like the lab's clients. */
  timeoutMs?: number;
}

export const DEFAULT_SERVER_HOST = '127.0.0.1';

export function parsePort(text: string, name: string, allowZero: boolean): number {
  const lowest = allowZero ? 0 : 1;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= lowest && port <= 65535)) {
    throw new UsageError(`${name}: expected a port number ${lowest}–65535, got "${text}"`);
  }
  return port;
}

interface ParsedArgv<Name extends string> {
  help: boolean;
  values: Partial<Record<Name, string>>;
  positionals: string[];
}

/** util.parseArgs in strict mode, its errors as UsageErrors: they already name the option ("Unknown option '--foo'"). */
export function parseArgsOrUsage<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ ...config, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A DURATION option's value in milliseconds (undefined when not given); a bad one is a UsageError naming `option`. */
export function durationOption(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (error) {
    if (error instanceof DurationError) throw new UsageError(`${option}: ${error.message}`);
    throw error;
  }
}

/** Every option of these programs takes a value, so options are named by a plain list. */
function parseStrict<Name extends string>(argv: string[], optionNames: readonly Name[]): ParsedArgv<Name> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const name of optionNames) options[name] = { type: 'string' };
  const { values, positionals } = parseArgsOrUsage({ args: argv, options, allowPositionals: true });
  return { help: values.help === true, values: values as Partial<Record<Name, string>>, positionals };
}

/**
 * The address every server takes: PORT as the one positional argument or as --port (0 = any free
 * port), and --host (default 127.0.0.1). Shared by tcp-server, udp-server, web-server and proxy.
 */
export function serverAddress(positionals: string[], values: { host?: string; port?: string }): ServerCommandLine {
  if (positionals.length > 1) throw new UsageError(`expected one PORT, got ${positionals.length} arguments: ${positionals.join(' ')}`);
  const positionalPort = positionals[0];
  if (positionalPort !== undefined && values.port !== undefined && positionalPort !== values.port) {
    throw new UsageError(`PORT given twice with different values: "${positionalPort}" and --port "${values.port}"`);
  }
  const portText = positionalPort ?? values.port;
  if (portText === undefined) throw new UsageError('missing PORT');
  const host = values.host ?? DEFAULT_SERVER_HOST;
  if (host === '') throw new UsageError('--host: expected a host name or address, got ""');
  return { host, port: parsePort(portText, 'PORT', true) };
}

/** Returns 'help' when -h/--help was given. */
export function parseServerCommandLine(argv: string[]): ServerCommandLine | 'help' {
  const { help, values, positionals } = parseStrict(argv, ['host', 'port']);
  if (help) return 'help';
  return serverAddress(positionals, values);
}

/** Returns 'help' when -h/--help was given. */
export function parseClientCommandLine(argv: string[]): ClientCommandLine | 'help' {
  const { help, values, positionals } = parseStrict(argv, ['message', 'timeout']);
  if (help) return 'help';
  const [host, portText, ...extra] = positionals;
  if (host === undefined || host === '') throw new UsageError('missing HOST');
  if (portText === undefined) throw new UsageError('missing PORT');
  if (extra.length > 0) {
    throw new UsageError(`unexpected argument "${extra[0]}" (quote a message, or pass it with --message)`);
  }
  return {
    host,
    port: parsePort(portText, 'PORT', false),
    message: values.message === undefined ? undefined : Buffer.from(values.message, 'utf8'),
    timeoutMs: durationOption(values.timeout, '--timeout'),
  };
}

/** Runs a parser; prints usage on stdout for --help (exit 0) or on stderr after a UsageError (exit 2). */
export function parseCommandLineOrExit<T>(output: ProgramOutput, usage: string, parse: () => T | 'help'): T {
  try {
    const parsed = parse();
    if (parsed !== 'help') return parsed;
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.fail(`${error.message}\n${usage}`, EXIT_USAGE);
  }
}
