// The byte-level encodings a message needs: CRLF line ends, RFC 2047 encoded-words for a non-ASCII
// Subject, quoted-printable for a body the server cannot take as it is, and SMTP dot-stuffing.

const CRLF = Buffer.from('\r\n');

// Byte-level rewrites run as regular expressions over latin1 strings: latin1 maps each byte to one
// character and back, so nothing is decoded and a 30 MB body takes milliseconds, not seconds.
const asBytes = (text: Buffer) => text.toString('latin1');
const fromBytes = (text: string) => Buffer.from(text, 'latin1');

/** Every line end (LF, CRLF, or a lone CR) becomes CRLF, the only line end SMTP allows (RFC 5321 §2.3.8). */
export function normaliseLineEnds(text: Buffer): Buffer {
  return fromBytes(asBytes(text).replace(/\r\n|\r|\n/g, '\r\n'));
}

/** The lines of CRLF-ended text, without their CRLF (a final CRLF does not start another line). */
export function splitCrlfLines(text: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let at = text.indexOf(CRLF); at !== -1; at = text.indexOf(CRLF, start)) {
    lines.push(text.subarray(start, at));
    start = at + 2;
  }
  if (start < text.length) lines.push(text.subarray(start));
  return lines;
}

export function isAscii(text: Buffer | string): boolean {
  return !/[^\x00-\x7f]/.test(typeof text === 'string' ? text : asBytes(text));
}

// An encoded-word may be at most 75 characters (RFC 2047 §2): "=?UTF-8?B?" + base64 + "?=" leaves 63
// for base64, i.e. 45 bytes of UTF-8 per word.
const ENCODED_WORD_BYTES = 45;

/** "=?UTF-8?B?...?=" words separated by spaces; a character's UTF-8 bytes never straddle two words. */
export function encodeWordsBase64(text: string): string {
  const words: string[] = [];
  let current = '';
  for (const character of text) {
    if (current !== '' && Buffer.byteLength(current + character, 'utf8') > ENCODED_WORD_BYTES) {
      words.push(current);
      current = '';
    }
    current += character;
  }
  if (current !== '') words.push(current);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join(' ');
}

const QP_LINE_LENGTH = 76;

/**
 * Quoted-printable (RFC 2045 §6.7) for CRLF-ended text: printable ASCII stays, everything else and
 * "=" become =XX, trailing blanks are encoded, and lines longer than 76 get soft breaks ("=" CRLF).
 */
export function encodeQuotedPrintable(text: Buffer): Buffer {
  const encodedLines = splitCrlfLines(text).map((line) => {
    const tokens: string[] = [];
    line.forEach((byte, index) => {
      const isLast = index === line.length - 1;
      const literal = (byte >= 0x21 && byte <= 0x7e && byte !== 0x3d) || ((byte === 0x20 || byte === 0x09) && !isLast);
      tokens.push(literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);
    });
    const wrapped: string[] = [];
    let current = '';
    for (const token of tokens) {
      // Leave room for the "=" of the soft break.
      if (current.length + token.length > QP_LINE_LENGTH - 1) {
        wrapped.push(`${current}=`);
        current = '';
      }
      current += token;
    }
    wrapped.push(current);
    return wrapped.join('\r\n');
  });
  const trailingLineEnd = text.length >= 2 && text.subarray(-2).equals(CRLF) ? '\r\n' : '';
  return Buffer.from(encodedLines.join('\r\n') + trailingLineEnd, 'ascii');
}

/**
 * The DATA payload: the content ending in CRLF, every line starting with "." given one more "."
 * (RFC 5321 §4.5.2, so that a line holding just "." cannot end the message early), then ".\r\n".
 */
export function dataPayload(content: Buffer): Buffer {
  const stuffed = asBytes(content).replace(/(^|\n)\./g, '$1..');
  return fromBytes(stuffed.endsWith('\r\n') ? `${stuffed}.\r\n` : `${stuffed}\r\n.\r\n`);
}
