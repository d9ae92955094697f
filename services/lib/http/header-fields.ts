// Header fields of HTTP/1.x heads, requests and responses alike: the grammar of a field line (RFC 9112
// §5) and the lookups the programs make. Read as latin1 so every byte survives a parse-and-serialise
// round trip (values may hold any octet above 0x7f).

export interface HeaderField {
  /** As the sender wrote it; compare with `sameName`. */
  name: string;
  /** Without leading and trailing spaces and tabs. */
  value: string;
}

export interface FieldParseOptions {
  /**
   * Join obsolete continuation lines (starting with a space or a tab) onto the field before them
   * (default false: refuse them). RFC 9112 §5.2: a server must refuse them in a request; a proxy or
   * client may instead replace each with a space in a response, which the proxy does for origins.
   */
  allowFolding?: boolean;
  /** The first field line in `lines` (default 0); 1 when `lines` starts with the head's start line. */
  from?: number;
}

export type FieldParseResult = { ok: true; headers: HeaderField[] } | { ok: false; message: string };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Control characters other than horizontal tab (NUL, a bare CR, ESC…) may appear nowhere in a head.
const CONTROL_EXCEPT_TAB = /[\x00-\x08\x0a-\x1f\x7f]/;

export function hasControlCharacter(text: string): boolean {
  return CONTROL_EXCEPT_TAB.test(text);
}

/** Only spaces and tabs are optional whitespace (RFC 9110 §5.6.3); String.trim would also eat 0xa0. */
function trimSpacesAndTabs(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** The header field lines of one head (without line ends), or why the first bad one is bad. */
export function parseHeaderFields(lines: readonly string[], options: FieldParseOptions = {}): FieldParseResult {
  const headers: HeaderField[] = [];
  const refuse = (message: string): FieldParseResult => ({ ok: false, message });
  for (let index = options.from ?? 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    const previous = headers[headers.length - 1];
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (!options.allowFolding || !previous) return refuse(`header lines must not start with whitespace (obsolete line folding): ${quoted(line)}`);
      if (hasControlCharacter(line)) return refuse(`the continuation line ${quoted(line)} holds a NUL, CR or other control character`);
      previous.value = trimSpacesAndTabs(`${previous.value} ${trimSpacesAndTabs(line)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon === -1) return refuse(`expected "Name: value", found no colon in the header line ${quoted(line)}`);
    const name = line.slice(0, colon);
    // No whitespace between name and colon (RFC 9112 §5.1): that is how request smuggling starts.
    if (!TOKEN.test(name)) return refuse(`expected a header name of letters, digits and !#$%&'*+-.^_\`|~ right before the colon, got ${quoted(name)}`);
    const value = trimSpacesAndTabs(line.slice(colon + 1));
    if (hasControlCharacter(value)) return refuse(`the value of header "${name}" holds a NUL, CR or other control character`);
    headers.push({ name, value });
  }
  return { ok: true, headers };
}

/** A line from a head, shortened and with control and non-ASCII bytes as \xHH, in double quotes. */
export function quoted(line: string, maxLength = 80): string {
  const shown = line.length > maxLength ? `${line.slice(0, maxLength)}…` : line;
  return `"${shown.replace(/[\x00-\x1f\x7f-\xff]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
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
