import { parseArgs } from 'node:util';
import { serverAddress, UsageError } from './cli-args.js';
import { DurationError, parseDuration } from './duration.js';

// The web server's command line: `PORT [--host H] [--root DIR] [--once] [--header-timeout DURATION]`,
// the same PORT/--port/--host conventions as the other servers (cli-args.ts) plus its own options.

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
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        host: { type: 'string' },
        port: { type: 'string' },
        root: { type: 'string' },
        once: { type: 'boolean' },
        'header-timeout': { type: 'string' },
      },
    });
  } catch (error) {
    // util.parseArgs messages already name the option ("Unknown option '--foo'").
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const { host, port } = serverAddress(positionals, values);
  if (values.root === '') throw new UsageError('--root: expected a folder, got ""');
  let headerTimeoutMs = DEFAULT_HEADER_TIMEOUT_MS;
  if (values['header-timeout'] !== undefined) {
    try {
      headerTimeoutMs = parseDuration(values['header-timeout']);
    } catch (error) {
      if (error instanceof DurationError) throw new UsageError(`--header-timeout: ${error.message}`);
      throw error;
    }
  }
  return { host, port, root: values.root, once: values.once === true, headerTimeoutMs };
}
