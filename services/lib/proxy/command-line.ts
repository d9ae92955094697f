import os from 'node:os';
import path from 'node:path';
import { durationOption, parseArgsOrUsage, serverAddress, UsageError } from '../common/cli-args.js';

// The proxy's command line: `PORT [--host H] [--cache-dir DIR] [--no-cache] [--origin-timeout D]`
// (PORT may also be given as --port, like the other servers). Errors are UsageErrors naming the
// argument, what was expected and what was found.

export interface ProxyCommandLine {
  host: string;
  /** 0 asks the system for any free port; the ready line then shows the port actually bound. */
  port: number;
  /**
   * Where cached responses live. undefined with `cache: true` means the default, a folder named
   * socklab-proxy-cache-PORT under the system's temp folder (PORT being the bound port).
   */
  cacheDir?: string;
  /** false with --no-cache: every request goes to the origin and nothing is stored. */
  cache: boolean;
  /** How long the origin has to send its response head (DNS + connect + wait). Default 10s. */
  originTimeoutMs: number;
}

export const DEFAULT_ORIGIN_TIMEOUT_MS = 10_000;

export function defaultCacheDir(port: number): string {
  return path.join(os.tmpdir(), `socklab-proxy-cache-${port}`);
}

/** Returns 'help' when -h/--help was given. */
export function parseProxyCommandLine(argv: string[]): ProxyCommandLine | 'help' {
  const { values, positionals } = parseArgsOrUsage({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string' },
      port: { type: 'string' },
      'cache-dir': { type: 'string' },
      'no-cache': { type: 'boolean' },
      'origin-timeout': { type: 'string' },
    },
  });
  if (values.help) return 'help';
  const { host, port } = serverAddress(positionals, values);
  const cacheDir = values['cache-dir'];
  if (cacheDir === '') throw new UsageError('--cache-dir: expected a folder, got ""');
  if (cacheDir !== undefined && values['no-cache']) {
    throw new UsageError('--cache-dir and --no-cache contradict each other: give one or the other');
  }
  return {
    host,
    port,
    cacheDir: cacheDir === undefined ? undefined : path.resolve(cacheDir),
    cache: values['no-cache'] !== true,
    originTimeoutMs: durationOption(values['origin-timeout'], '--origin-timeout') ?? DEFAULT_ORIGIN_TIMEOUT_MS,
  };
}
