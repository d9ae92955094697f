// HTTP/1.x message heads as the proxy sees them: a start line and header fields, read as latin1 so
// every byte survives a parse-and-serialise round trip (header values may hold any octet).

export interface HeaderField {
  /** As the sender wrote it; compare with `sameName`. */
  name: string;
  value: string;
}

export interface MessageHead {
  startLine: string;
  fields: HeaderField[];
}

/** A head that breaks the HTTP/1.1 grammar; the message says which line and how. */
export class MalformedHeadError extends Error {}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Control characters other than horizontal tab may not appear in a head (CR and LF end lines).
const FORBIDDEN_IN_HEAD = /[\x00-\x08\x0a-\x1f\x7f]/;

export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/**
 * Where the blank line ending a head is: the index just after it, or -1. A bare LF is accepted as a
 * line end (RFC 9112 §2.2 allows it), so a head typed into `nc` without -C still works.
 */
export function findHeadEnd(bytes: Buffer): number {
  const crlf = bytes.indexOf('\r\n\r\n', 0, 'latin1');
  const lf = bytes.indexOf('\n\n', 0, 'latin1');
  const mixed = bytes.indexOf('\n\r\n', 0, 'latin1');
  const ends = [crlf === -1 ? -1 : crlf + 4, lf === -1 ? -1 : lf + 2, mixed === -1 ? -1 : mixed + 3].filter((end) => end !== -1);
  return ends.length === 0 ? -1 : Math.min(...ends);
}

/**
 * Splits a complete head (ending in its blank line) into the start line and fields. `allowFolding`
 * joins obsolete continuation lines onto the previous field (tolerated from origins, RFC 9112 §5.2);
 * from clients they are rejected.
 */
export function parseHead(head: Buffer, allowFolding: boolean): MessageHead {
  const lines = head.toString('latin1').split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const [startLine, ...fieldLines] = lines;
  if (startLine === undefined || startLine === '') throw new MalformedHeadError('empty start line');
  if (FORBIDDEN_IN_HEAD.test(startLine)) throw new MalformedHeadError('control character in the start line');
  const fields: HeaderField[] = [];
  for (const line of fieldLines) {
    if (FORBIDDEN_IN_HEAD.test(line)) throw new MalformedHeadError(`control character in header line "${printable(line)}"`);
    const previous = fields[fields.length - 1];
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (!allowFolding || !previous) throw new MalformedHeadError(`folded header line "${printable(line)}"`);
      previous.value = `${previous.value} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon);
    // No whitespace between name and colon (RFC 9112 §5.1): that is how request smuggling starts.
    if (!isToken(name)) throw new MalformedHeadError(`not a "Name: value" header line: "${printable(line)}"`);
    fields.push({ name, value: line.slice(colon + 1).trim() });
  }
  return { startLine, fields };
}

export function serializeHead(startLine: string, fields: readonly HeaderField[]): Buffer {
  const lines = [startLine, ...fields.map((field) => `${field.name}: ${field.value}`), '', ''];
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Every value of a field, as written (a field may appear several times). */
export function fieldValues(fields: readonly HeaderField[], name: string): string[] {
  return fields.filter((field) => sameName(field.name, name)).map((field) => field.value);
}

/** Comma-separated list values of every occurrence of a field, lowercased and trimmed. */
export function listTokens(fields: readonly HeaderField[], name: string): string[] {
  return fieldValues(fields, name)
    .flatMap((value) => value.split(','))
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
}

/** Cache-Control directive names ("no-store", "max-age", "private"…), without their arguments. */
export function cacheControlDirectives(fields: readonly HeaderField[]): Set<string> {
  return new Set(listTokens(fields, 'cache-control').map((directive) => directive.split('=')[0]!.trim()));
}

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1): a proxy must not pass
 * them on, nor any header the sender's Connection field names.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** The fields minus hop-by-hop ones and minus any name in `alsoDrop` (lowercase). */
export function endToEndFields(fields: readonly HeaderField[], alsoDrop: readonly string[] = []): HeaderField[] {
  const drop = new Set([...HOP_BY_HOP, ...listTokens(fields, 'connection'), ...alsoDrop]);
  return fields.filter((field) => !drop.has(field.name.toLowerCase()));
}

function printable(line: string): string {
  const shown = line.length > 60 ? `${line.slice(0, 60)}…` : line;
  return shown.replace(/[\x00-\x1f\x7f-\xff]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
