// Which command-line convention (lab/role-arguments.ts) a program's source shows: `int(sys.argv[1])`
// alone is PORT; `sys.argv[1]` with `int(sys.argv[2])` is HOST PORT for a client and IP PORT for a
// server; argparse's `add_argument('--port')` is --port PORT; no command line at all is none (the port
// it listens on is then discovered, the destination it uses delivered). Reading the source is cheap
// and gives the same answer every time. Where it does not tell (a language it cannot read, argv handed
// to a function, getopt), the conventions are tried in order when the program runs, the next one after
// a usage error.
import { conventionsToTry, givenConvention, usageKind, type Convention, type ConventionChoice } from '../lab/role-arguments.js';
import { findCodeLine, sourceLine, type SourceCode } from './source-code.js';

type ValueKind = 'port' | 'host';

/** What a source reads from its command line, within some of its lines. */
interface CommandLineReading {
  /** Arguments read by position (1: the first after the program), with the line that reads each. */
  positions: Array<{ position: number; kind: ValueKind; line: number }>;
  /** argparse or optparse options. */
  options: Array<{ flags: string[]; kind: ValueKind | 'other'; line: number }>;
  /** argparse positionals, in order. */
  positionals: Array<{ kind: ValueKind; line: number }>;
  /** It reads its command line in a way this reading does not follow. */
  opaque: boolean;
}

/** Lines [from, to) of a source that one role reads (a file playing two roles by a mode word: that mode's branch). */
export interface ModeScope {
  from: number;
  to: number;
}

/**
 * How the program of a role with this usage takes its arguments: one convention read from the source,
 * or (where the source does not tell) every convention of its kind, to try in order.
 */
export function detectConvention(source: SourceCode | null, usage: string, scope?: ModeScope): ConventionChoice[] {
  const reading = source ? readCommandLine(source, scope) : null;
  const found = reading && source ? conventionOf(reading, usage, source, scope) : null;
  if (found) return [found];
  return conventionsToTry(usage).map((convention) => ({ convention, how: 'try' }));
}

function conventionOf(reading: CommandLineReading, usage: string, source: SourceCode, scope?: ModeScope): ConventionChoice | null {
  if (reading.opaque) return null;
  const kind = usageKind(usage);
  const choice = (convention: Convention, line: number): ConventionChoice => ({ convention, how: 'source', source: sourceLine(source, line) });
  const portOption = reading.options.find((option) => option.kind === 'port');
  const hostOption = reading.options.find((option) => option.kind === 'host');
  const positions = new Map(reading.positions.map((entry) => [entry.position, entry]));
  const reads = reading.options.length + reading.positionals.length + reading.positions.length > 0;
  if (!reads) {
    // No command line at all: hard-coded. The evidence is where it listens or connects.
    const socketLine = findCodeLine(source, /\b(bind|connect|sendto|create_connection)\s*\(|new\s+(Server)?Socket\s*\(|new\s+DatagramSocket\s*\(/, scope?.from ?? 0);
    return choice({ name: 'none' }, socketLine >= 0 ? socketLine : (scope?.from ?? 0));
  }
  if (kind === 'other') return reading.options.length === 0 ? choice(givenConvention(usage), (reading.positions[0] ?? reading.positionals[0]).line) : null;
  if (portOption) {
    const flags = { port: longest(portOption.flags), ...(hostOption && kind === 'client' ? { host: longest(hostOption.flags) } : {}) };
    return choice({ name: hostOption && kind === 'client' ? '--host HOST --port PORT' : '--port PORT', flags }, portOption.line);
  }
  if (reading.options.length > 0 && reading.positionals.length === 0) return null;
  const ordered = reading.positionals.length > 0 ? reading.positionals.map((entry, index) => ({ ...entry, position: index + 1 })) : [...positions.values()].sort((a, b) => a.position - b.position);
  const shape = ordered.map((entry) => `${entry.position}:${entry.kind}`).join(' ');
  const portLine = (ordered.find((entry) => entry.kind === 'port') ?? ordered[0]).line;
  if (kind === 'server') {
    if (shape === '1:port' || shape === '1:host') return choice({ name: 'PORT' }, portLine);
    // The address read first, or skipped (`int(sys.argv[2])` alone): IP PORT.
    if (shape === '1:host 2:port' || shape === '2:port') return choice({ name: 'IP PORT' }, portLine);
    return null;
  }
  if (shape === '1:port') return choice({ name: 'PORT' }, portLine);
  // A host alone (its port written in) takes HOST PORT as well: the port after it goes unread; so does
  // a port read second whose host is written in (`serverName = 'localhost'`, `int(sys.argv[2])`).
  if (['1:host 2:port', '1:host 2:host', '1:host', '2:port'].includes(shape)) return choice({ name: 'HOST PORT' }, portLine);
  return null;
}

function longest(flags: string[]): string {
  return [...flags].sort((a, b) => b.length - a.length)[0];
}

function readCommandLine(source: SourceCode, scope?: ModeScope): CommandLineReading {
  const reading: CommandLineReading = { positions: [], options: [], positionals: [], opaque: false };
  const from = scope?.from ?? 0;
  const to = scope?.to ?? source.code.length;
  const language = LANGUAGE_RULES[source.language];
  const name = language.argumentsName(source.code.join('\n'));
  for (let index = from; index < to; index += 1) {
    const line = source.code[index];
    if (language.opaque.test(line)) reading.opaque = true;
    if (/\badd_(argument|option)\s*\(/.test(line)) readOption(source.code.slice(index, index + 5).join(' '), index, reading);
    if (!new RegExp(`\\b${name}\\b`).test(line)) continue;
    let rest = line;
    for (const match of line.matchAll(new RegExp(`\\b${name}\\s*\\[\\s*(\\d+)\\s*\\]`, 'g'))) {
      const position = Number(match[1]) + language.offset;
      rest = rest.replace(match[0], '');
      // In a file that plays two roles, argv[1] is the mode word, not an argument of the role.
      if (position < 1 || (scope && position === 1)) continue;
      const number = new RegExp(`${language.toNumber}\\s*\\(\\s*${language.qualified}${escape(match[0])}`).test(line);
      const assigned = /^\s*(\w+)\s*=/.exec(line)?.[1] ?? '';
      reading.positions.push({ position: scope ? position - 1 : position, kind: number || /port/i.test(assigned) ? 'port' : 'host', line: index });
    }
    const unpacked = new RegExp(`^\\s*([\\w\\s,]+?)\\s*=\\s*${language.qualified}${name}\\s*$`).exec(line);
    if (unpacked) {
      unpacked[1].split(',').slice(1).forEach((variable, position) => reading.positions.push({ position: position + 1, kind: /port/i.test(variable) ? 'port' : 'host', line: index }));
      rest = '';
    }
    rest = rest.replace(language.harmless, '');
    if (new RegExp(`\\b${name}\\b`).test(rest)) reading.opaque = true;
  }
  return reading;
}

/** One `add_argument(…)` call (with up to four more lines, for a call written over several). */
function readOption(text: string, line: number, reading: CommandLineReading): void {
  const call = /\badd_(?:argument|option)\s*\(([^)]*)\)?/.exec(text)?.[1] ?? '';
  const strings = [...call.matchAll(/(['"])(.*?)\1/g)].map((match) => match[2]);
  const flags = strings.filter((value) => value.startsWith('-'));
  const typed = /type\s*=\s*int\b/.test(call);
  if (flags.length > 0) {
    const kind = flags.some((flag) => /port/i.test(flag)) || (flags.includes('-p') && typed) ? 'port' : flags.some((flag) => /host|server|addr|\bip\b/i.test(flag)) ? 'host' : 'other';
    reading.options.push({ flags, kind, line });
  } else if (strings.length > 0) {
    reading.positionals.push({ kind: /port/i.test(strings[0]) || typed ? 'port' : 'host', line });
  }
}

interface LanguageRule {
  /** The name the program gives its arguments (argv, args, process.argv). */
  argumentsName(code: string): string;
  /** What to add to an index to get the position (Java's args[0] is the first argument: +1). */
  offset: number;
  /** The call that turns an argument into a number. */
  toNumber: string;
  /** What may precede the name (`sys.`). */
  qualified: string;
  /** Mentions of the arguments that read nothing (their count, the import). */
  harmless: RegExp;
  /** A line that reads the command line some other way. */
  opaque: RegExp;
}

const LANGUAGE_RULES: Record<SourceCode['language'], LanguageRule> = {
  python: {
    argumentsName: () => 'argv',
    offset: 0,
    toNumber: 'int',
    qualified: '(?:sys\\.)?',
    harmless: /\blen\s*\(\s*(sys\.)?argv\s*\)|\bimport\b.*|parse_args\s*\(\s*(sys\.)?argv\s*\[\s*1\s*:\s*\]\s*\)|(sys\.)?argv\s*\[\s*0\s*\]/g,
    opaque: /^\s*(import|from)\s+(getopt|click|docopt|fire)\b/,
  },
  java: {
    argumentsName: (code) => /static\s+void\s+main\s*\(\s*(?:final\s+)?String\s*(?:\[\s*\]\s*|\.\.\.\s*)(\w+)/.exec(code)?.[1] ?? /static\s+void\s+main\s*\(\s*(?:final\s+)?String\s+(\w+)\s*\[\s*\]/.exec(code)?.[1] ?? 'args',
    offset: 1,
    toNumber: 'Integer\\.(?:parseInt|valueOf)',
    qualified: '',
    harmless: /\b\w+\.length\b|static\s+void\s+main\s*\([^)]*\)/g,
    opaque: /(?!)/,
  },
  c: {
    argumentsName: (code) => /\bmain\s*\(\s*int\s+\w+\s*,\s*(?:const\s+)?char\s*\*+\s*(\w+)/.exec(code)?.[1] ?? 'argv',
    offset: 0,
    toNumber: '(?:atoi|atol|strtol|strtoul)',
    qualified: '',
    harmless: /\bmain\s*\([^)]*\)/g,
    opaque: /\bgetopt\b/,
  },
  javascript: {
    argumentsName: () => 'argv',
    offset: -1,
    toNumber: '(?:Number|parseInt)',
    qualified: '(?:process\\.)?',
    harmless: /(process\.)?argv\s*\[\s*[01]\s*\]/g,
    opaque: /\b(yargs|commander|minimist)\b/,
  },
};

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
