// How a step's arguments reach the program playing a role. A spec passes the arguments of the role's
// usage (the lab file's `PORT` for a server, `HOST PORT` for a client); a program a student wrote may
// want them another way, and a human grader types them the way it wants. socklab knows three ways:
//   - as given: appended to the command (reference programs, a socklab.yaml command without
//     templates, and every experiment tagged `command-line`, which judges the handout's way);
//   - a template in the role command: `python3 web-server.py --port {{port}}`;
//   - a command-line convention (below), read from the program's source when grading, or tried in
//     order after a usage error.
import type { SourceLine } from '../model/result.js';

/** Experiments with this tag judge the handout's own command line: there, arguments always go as given. */
export const COMMAND_LINE_TAG = 'command-line';

/**
 * The command-line conventions students use. Servers: `PORT` (the handout's), `IP PORT` (the address
 * to bind first; socklab passes 0.0.0.0), `--port PORT`, `none` (a hard-coded port, found where it
 * listens). Clients: `HOST PORT` (the handout's), `PORT` (the host is written in), `--host HOST
 * --port PORT`, `none`. `as given`: the lab's usage as it is (a mail client's flags).
 */
export type ConventionName = 'PORT' | 'IP PORT' | '--port PORT' | 'HOST PORT' | '--host HOST --port PORT' | 'none' | 'as given';

export interface Convention {
  name: ConventionName;
  /** The flags as the program spells them (`--port`, `-p`, `--server`), for the flag conventions. */
  flags?: { host?: string; port?: string };
}

/** A convention and why socklab uses it for a program. */
export interface ConventionChoice {
  convention: Convention;
  /** `source`: read from the program's source; `try`: one of the conventions tried in order. */
  how: 'source' | 'try';
  /** The line that shows it: `PORT = int(sys.argv[2])`, `parser.add_argument('--port', …)`. */
  source?: SourceLine;
}

/** The address an `IP PORT` server is given: every address of its host, as a grader would type. */
export const ANY_ADDRESS = '0.0.0.0';

/** The values a step's arguments carry, read against the role's usage. */
export interface UsageValues {
  host?: string;
  port?: string;
  /** The arguments that are neither (extra flags such as the reference server's `--once`). */
  rest: string[];
}

type UsageWord = 'host' | 'port';

/** Positional HOST/PORT words and `--flag HOST|PORT` pairs of a usage line such as `HOST PORT` or `--server HOST --port PORT`. */
function parseUsage(usage: string): { positional: UsageWord[]; flags: Map<string, UsageWord> } {
  const words = usage.replace(/[[\]]/g, ' ').split(/\s+/).filter(Boolean);
  const positional: UsageWord[] = [];
  const flags = new Map<string, UsageWord>();
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index];
    const next = words[index + 1];
    if (word.startsWith('-') && (next === 'HOST' || next === 'PORT')) {
      flags.set(word, next === 'HOST' ? 'host' : 'port');
      index += 1;
    } else if ((word === 'HOST' || word === 'PORT') && flags.size === 0) {
      positional.push(word === 'HOST' ? 'host' : 'port');
    }
  }
  return { positional, flags };
}

export function usageValues(usage: string, args: readonly string[]): UsageValues {
  const { positional, flags } = parseUsage(usage);
  const values: UsageValues = { rest: [] };
  for (let index = 0; index < args.length; index += 1) {
    const word = index < positional.length ? positional[index] : flags.get(args[index]);
    if (index < positional.length) values[word!] = args[index];
    else if (word && index + 1 < args.length) values[word] = args[++index];
    else values.rest.push(args[index]);
  }
  return values;
}

/** The kind of program a usage describes: a server takes PORT, a client HOST and PORT, anything else its own flags. */
export function usageKind(usage: string): 'server' | 'client' | 'other' {
  const { positional } = parseUsage(usage);
  if (positional.join(' ') === 'port') return 'server';
  if (positional.join(' ') === 'host port') return 'client';
  return 'other';
}

/** The handout's convention for a usage: the step's arguments as given. */
export function givenConvention(usage: string): Convention {
  const kind = usageKind(usage);
  return { name: kind === 'server' ? 'PORT' : kind === 'client' ? 'HOST PORT' : 'as given' };
}

/** The conventions tried in order, the handout's first, when a program's source does not tell. */
export function conventionsToTry(usage: string): Convention[] {
  const kind = usageKind(usage);
  if (kind === 'server') return [{ name: 'PORT' }, { name: 'IP PORT' }, { name: '--port PORT' }, { name: 'none' }];
  if (kind === 'client') return [{ name: 'HOST PORT' }, { name: 'PORT' }, { name: '--host HOST --port PORT' }, { name: 'none' }];
  return [{ name: 'as given' }, { name: 'none' }];
}

/** The arguments a program following `convention` is given for a step's `args`. */
export function arrangeArguments(convention: Convention, usage: string, args: readonly string[]): string[] {
  if (convention.name === givenConvention(usage).name || convention.name === 'as given') return [...args];
  if (convention.name === 'none') return [];
  const { host, port, rest } = usageValues(usage, args);
  // A step that passes no port (or no host where the convention needs one) keeps its arguments as given.
  if (port === undefined) return [...args];
  const portFlag = convention.flags?.port ?? '--port';
  switch (convention.name) {
    case 'PORT':
      return [port, ...rest];
    case 'IP PORT':
      return [ANY_ADDRESS, port, ...rest];
    case '--port PORT':
      return [portFlag, port, ...rest];
    case 'HOST PORT':
      return host === undefined ? [...args] : [host, port, ...rest];
    case '--host HOST --port PORT':
      return host === undefined ? [...args] : [convention.flags?.host ?? '--host', host, portFlag, port, ...rest];
  }
}

/** `--port PORT` as the program spells its flags: `-p PORT`, `--server HOST --port PORT`. */
export function conventionLabel(convention: Convention): string {
  const { flags } = convention;
  if (convention.name === '--port PORT' && flags?.port) return `${flags.port} PORT`;
  if (convention.name === '--host HOST --port PORT' && flags) return `${flags.host ?? '--host'} HOST ${flags.port ?? '--port'} PORT`;
  return convention.name;
}

/** Templates a role command may use: the step's own port and host, the world's hosts and the experiment's temp folder. */
export const ROLE_COMMAND_TEMPLATES = ['port', 'host', 'server.host', 'client.host', 'internet.host', 'tmp'] as const;
/** The templates that take the step's arguments: a command with one gets no arguments appended. */
const ARGUMENT_TEMPLATES = ['port', 'host'];
const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Whether a role command places the step's arguments itself (`--port {{port}}`). */
export function usesArgumentTemplates(command: readonly string[]): boolean {
  return command.some((word) => [...word.matchAll(TEMPLATE)].some((match) => ARGUMENT_TEMPLATES.includes(match[1])));
}

/** Why a role command of a submission cannot be used (an unknown template), or null. */
export function roleCommandProblem(command: readonly string[]): string | null {
  for (const word of command) {
    for (const match of word.matchAll(TEMPLATE)) {
      if (!(ROLE_COMMAND_TEMPLATES as readonly string[]).includes(match[1])) {
        return `unknown template {{${match[1]}}} in "${command.join(' ')}"; a role command may use ${ROLE_COMMAND_TEMPLATES.map((name) => `{{${name}}}`).join(', ')}`;
      }
    }
  }
  return null;
}

/** Values that keep the argument templates in place while the rest of a command is rendered. */
export const KEEP_ARGUMENT_TEMPLATES: Readonly<Record<string, string>> = Object.fromEntries(ARGUMENT_TEMPLATES.map((name) => [name, `{{${name}}}`]));

/**
 * Fills `{{port}}` and `{{host}}` with the step's values: the PORT it passes, and the HOST it passes
 * (a client's server) or, for a program whose usage has no HOST (a server), the address of its own
 * host. Null when the command names a value the step does not pass.
 */
export function fillArgumentTemplates(command: readonly string[], usage: string, args: readonly string[], ownHost: string): string[] | null {
  const values = usageValues(usage, args);
  const filled: Record<string, string | undefined> = { port: values.port, host: values.host ?? (usageKind(usage) === 'client' ? undefined : ownHost) };
  let missing = false;
  const rendered = command.map((word) =>
    word.replace(TEMPLATE, (whole, name: string) => {
      if (!ARGUMENT_TEMPLATES.includes(name)) return whole;
      if (filled[name] === undefined) missing = true;
      return filled[name] ?? whole;
    }),
  );
  return missing ? null : rendered;
}

/**
 * The command a template stands for when the handout's command line is judged: the words before the
 * first argument template, without the convention's own words just before it (a flag such as
 * `--port`, an address such as 0.0.0.0). `python3 http_proxy.py 0.0.0.0 {{port}}` → `python3 http_proxy.py`;
 * `python3 tcp.py server {{port}}` keeps its mode word.
 */
export function handoutCommand(command: readonly string[]): string[] {
  const first = command.findIndex((word) => usesArgumentTemplates([word]));
  if (first < 0) return [...command];
  const kept = command.slice(0, first);
  while (kept.length > 1 && /^(-.*|\d{1,3}(\.\d{1,3}){3}|localhost)$/.test(kept[kept.length - 1])) kept.pop();
  return kept;
}
