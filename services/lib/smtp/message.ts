import { randomBytes } from 'node:crypto';
import { encodeQuotedPrintable, encodeWordsBase64, isAscii, normaliseLineEnds, splitCrlfLines } from './encoding.js';

// The message mail-client sends (RFC 5322 + MIME): a header block, a blank line, the body.
//
// Content-Transfer-Encoding is chosen from the body and from what the server offered:
// - 7bit              the body is ASCII with lines of at most 998 bytes (any server takes it);
// - 8bit              the body has non-ASCII bytes and the server offered 8BITMIME (MAIL FROM then
//                     says BODY=8BITMIME, RFC 6152);
// - quoted-printable  anything else: non-ASCII without 8BITMIME, a NUL byte, or a line over the
//                     998-byte limit of RFC 5321 §4.5.3.1.6, which no server has to accept.

export type TransferEncoding = '7bit' | '8bit' | 'quoted-printable';

export interface MessageInput {
  from: string;
  to: string[];
  subject: string;
  /** The body as given (any line ends); it is declared UTF-8. */
  body: Buffer;
  /** The right-hand side of the Message-ID: the name we gave in EHLO. */
  heloName: string;
  /** Whether the server's EHLO reply listed 8BITMIME. */
  eightBitMime: boolean;
  date?: Date;
}

export interface OutgoingMessage {
  /** Headers, blank line and encoded body with CRLF line ends, not yet dot-stuffed. */
  content: Buffer;
  /** Header lines as sent (a folded header is several lines), for the --verbose transcript. */
  headerLines: string[];
  bodyBytes: number;
  transferEncoding: TransferEncoding;
  messageId: string;
}

const LONGEST_LINE_BYTES = 998;
const FOLD_AT = 78;

export function buildMessage(input: MessageInput): OutgoingMessage {
  const body = normaliseLineEnds(input.body);
  const transferEncoding = chooseTransferEncoding(body, input.eightBitMime);
  const encodedBody = transferEncoding === 'quoted-printable' ? encodeQuotedPrintable(body) : body;
  const messageId = `<${randomBytes(12).toString('hex')}@${input.heloName}>`;
  const headers = [
    `Date: ${formatMessageDate(input.date ?? new Date())}`,
    `From: ${input.from}`,
    `To: ${input.to.join(', ')}`,
    ...(input.subject === '' ? [] : [`Subject: ${encodeHeaderText(input.subject)}`]),
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${transferEncoding}`,
  ];
  const headerLines = headers.flatMap((header) => foldHeader(header).split('\r\n'));
  return {
    content: Buffer.concat([Buffer.from(`${headerLines.join('\r\n')}\r\n\r\n`, 'ascii'), encodedBody]),
    headerLines,
    bodyBytes: encodedBody.length,
    transferEncoding,
    messageId,
  };
}

export function chooseTransferEncoding(body: Buffer, eightBitMime: boolean): TransferEncoding {
  const linesFit = splitCrlfLines(body).every((line) => line.length <= LONGEST_LINE_BYTES);
  if (!linesFit || body.includes(0)) return 'quoted-printable';
  if (isAscii(body)) return '7bit';
  return eightBitMime ? '8bit' : 'quoted-printable';
}

/** Header text as is when it is plain ASCII, else as RFC 2047 encoded-words (UTF-8, base64). */
export function encodeHeaderText(text: string): string {
  const plain = isAscii(text) && /^[\x20-\x7e\t]*$/.test(text) && !/=\?/.test(text);
  // A word too long to fold would break the 998-byte line limit; encoded-words can be split anywhere.
  const foldable = text.split(' ').every((word) => word.length < FOLD_AT * 4);
  return plain && foldable ? text : encodeWordsBase64(text);
}

/** Folds "Name: value" at spaces so lines stay within 78 characters where a space allows it. */
export function foldHeader(header: string): string {
  const words = header.split(' ');
  const lines: string[] = [];
  const name = words.shift() ?? '';
  let current = name;
  for (const word of words) {
    // Never right after "Name:", which would leave a line holding only the field name.
    if (current.length + 1 + word.length > FOLD_AT && current !== name) {
      lines.push(current);
      current = ` ${word}`;
    } else {
      current += ` ${word}`;
    }
  }
  lines.push(current);
  return lines.join('\r\n');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 in local time: "Tue, 03 Jun 2025 14:05:09 +0200". */
export function formatMessageDate(date: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  const offsetMinutes = -date.getTimezoneOffset();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = `${sign}${two(Math.floor(Math.abs(offsetMinutes) / 60))}${two(Math.abs(offsetMinutes) % 60)}`;
  return (
    `${DAYS[date.getDay()]}, ${two(date.getDate())} ${MONTHS[date.getMonth()]} ${date.getFullYear()} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ${offset}`
  );
}
