import { durationOption, parseArgsOrUsage, serverAddress, UsageError } from '../common/cli-args.js';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_REQUESTS } from './keep-alive.js';

// The web server's command line: `PORT [--host H] [--root DIR] [--once] [--header-timeout DURATION]
// [--idle-timeout DURATION] [--max-requests N]`, the same PORT/--port/--host conventions as the other
// servers (common/cli-args.ts) plus its own options.

export interface WebServerCommandLine {
  host: string;
  /** 0 asks the system for any free port; the ready line then shows the port actually bound. */
  port: number;
  /** undefined: the bundled services/www. */
  root?: string;
  /** Answer one request, then exit 0, like the lab's server "capable of processing only one request". */
  once: boolean;
  headerTimeoutMs: number;
  /** How long a kept-alive connection may wait for its next request. */
  idleTimeoutMs: number;
  /** Requests answered on one connection before the server closes it. */
  maxRequests: number;
}

export const DEFAULT_HEADER_TIMEOUT_MS = 5000;

/** Returns 'help' when -h/--help was given; throws UsageError naming the argument otherwise. */
export function parseWebServerCommandLine(argv: string[]): WebServerCommandLine | 'help' {
  const { values, positionals } = parseArgsOrUsage({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string' },
      port: { type: 'string' },
      root: { type: 'string' },
      once: { type: 'boolean' },
      'header-timeout': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'max-requests': { type: 'string' },
    },
  });
  if (values.help) return 'help';
  const { host, port } = serverAddress(positionals, values);
  if (values.root === '') throw new UsageError('--root: expected a folder, got ""');
  return {
    host,
    port,
    root: values.root,
    once: values.once === true,
    headerTimeoutMs: durationOption(values['header-timeout'], '--header-timeout') ?? DEFAULT_HEADER_TIMEOUT_MS,
    idleTimeoutMs: durationOption(values['idle-timeout'], '--idle-timeout') ?? DEFAULT_IDLE_TIMEOUT_MS,
    maxRequests: countOption(values['max-requests'], '--max-requests') ?? DEFAULT_MAX_REQUESTS,
  };
}

function countOption(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const count = /^\d{1,9}$/.test(text) ? Number(text) : 0;
  if (count < 1) throw new UsageError(`${option}: expected a whole number of at least 1, got "${text}"`);
  return count;
}
