// Where an HTTP/1.x head (start line, header field lines, blank line) lies in the bytes received so
// far, and its lines. Shared by every reader of heads: the web server's and the proxy's requests, the
// proxy's origin responses and its cache files, so all of them agree on where a head ends.
//
// Lenient where it only helps people typing by hand: a bare LF ends a line as well as CRLF (RFC 9112
// §2.2), and blank lines before the start line are skipped (§2.2: a server SHOULD ignore at least one).

const LF = 0x0a;
const CR = 0x0d;

export interface HeadBounds {
  /** First byte of the start line (after any blank lines before it). */
  start: number;
  /** The LF ending the last line before the blank line: [start, linesEnd) holds the head's lines. */
  linesEnd: number;
  /** First byte after the blank line: the body or the next message starts here. */
  end: number;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function skipBlankLines(buffer: Buffer): number {
  let position = 0;
  for (;;) {
    if (buffer[position] === LF) position += 1;
    else if (buffer[position] === CR && buffer[position + 1] === LF) position += 2;
    else return position;
  }
}

function boundsOf(buffer: Buffer): HeadBounds | undefined {
  const start = skipBlankLines(buffer);
  let lineStart = start;
  for (;;) {
    const newline = buffer.indexOf(LF, lineStart);
    if (newline === -1) return undefined;
    const isBlank = newline === lineStart || (newline === lineStart + 1 && buffer[lineStart] === CR);
    if (isBlank && lineStart > start) return { start, linesEnd: lineStart - 1, end: newline + 1 };
    lineStart = newline + 1;
  }
}

/**
 * The head's bounds once its blank line has arrived; "incomplete" while it may still; "too-large" as
 * soon as it cannot end within `maxHeadBytes` (blank line and any blank lines before it included),
 * so a client cannot make us buffer more by never sending the blank line.
 */
export function locateHead(bytes: Uint8Array, maxHeadBytes = Infinity): HeadBounds | 'incomplete' | 'too-large' {
  const buffer = asBuffer(bytes);
  const bounds = boundsOf(buffer);
  if (bounds === undefined) return buffer.length < maxHeadBytes ? 'incomplete' : 'too-large';
  return bounds.end > maxHeadBytes ? 'too-large' : bounds;
}

/** Nothing but line ends, or nothing at all: no message has begun (a port probe, a spare connection). */
export function isBlank(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === CR || byte === LF);
}

/** The index just after the blank line ending the head, or -1 while there is none. */
export function findHeadEnd(bytes: Uint8Array): number {
  return boundsOf(asBuffer(bytes))?.end ?? -1;
}

/**
 * The start line and the header field lines, without line ends. Read as latin1, which maps each byte
 * to one character, so nothing is lost or merged before the grammar checks.
 */
export function headLines(bytes: Uint8Array, bounds: HeadBounds): [startLine: string, ...fieldLines: string[]] {
  const lines = asBuffer(bytes).toString('latin1', bounds.start, bounds.linesEnd).split('\n');
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line)) as [string, ...string[]];
}

/** The start line as far as it was received ("" when nothing was), for logs and error pages. */
export function firstLineOf(bytes: Uint8Array): string {
  const buffer = asBuffer(bytes);
  const start = skipBlankLines(buffer);
  const newline = buffer.indexOf(LF, start);
  const line = buffer.toString('latin1', start, newline === -1 ? buffer.length : newline);
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
