import { durationOption, parseArgsOrUsage, serverAddress, UsageError } from '../common/cli-args.js';

// The web server's command line: `PORT [--host H] [--root DIR] [--once] [--header-timeout DURATION]`,
// the same PORT/--port/--host conventions as the other servers (common/cli-args.ts) plus its own options.

export interface WebServerCommandLine {
  host: string;
  /** 0 asks the system for any free port; the ready line then shows the port actually bound. */
  port: number;
  /** undefined: the bundled services/www. */
  root?: string;
  /** Answer one request, then exit 0, like the lab's server "capable of processing only one request". */
  once: boolean;
  headerTimeoutMs: number;
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
    },
  });
  if (values.help) return 'help';
  const { host, port } = serverAddress(positionals, values);
  if (values.root === '') throw new UsageError('--root: expected a folder, got ""');
  const headerTimeoutMs = durationOption(values['header-timeout'], '--header-timeout') ?? DEFAULT_HEADER_TIMEOUT_MS;
  return { host, port, root: values.root, once: values.once === true, headerTimeoutMs };
}
