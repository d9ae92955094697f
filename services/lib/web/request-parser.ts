import { parseRequestTarget, type RequestPath, type TargetErrorCode } from './request-target.js';

// The head of an HTTP/1.x request (request line + header fields + blank line), parsed from the
// bytes received so far. A pure function: the connection code feeds it everything buffered until
// the answer is no longer "incomplete", so every malformed input can be tested without a socket.
//
// Strict where sloppiness is a security or correctness problem (RFC 9112: no whitespace before a
// header's colon, no line folding, no bare CR, no NUL), lenient where it only helps people typing
// requests by hand: bare LF line ends, blank lines before the request line, and no required Host
// header (the lab's own test is a browser, but students also use telnet and nc).

export type HttpVersion = '1.0' | '1.1';

export interface HeaderField {
  /** As sent; compare case-insensitively. */
  name: string;
  /** Without leading and trailing spaces and tabs; bytes above 0x7f kept as latin1 characters. */
  value: string;
}

export interface HttpRequest {
  /** Case-sensitive, as sent: "GET", "HEAD", "POST"… (the parser does not judge support). */
  method: string;
  /** The request-target exactly as sent, for logs. */
  target: string;
  version: HttpVersion;
  headers: HeaderField[];
  path: RequestPath;
  /** The request line as sent, without its line end. */
  requestLine: string;
}

export type RequestErrorCode =
  | 'bad-request-line'
  | 'bad-method'
  | 'bad-version'
  | 'unsupported-version'
  | 'bad-header'
  | 'head-too-large'
  | 'incomplete-head'
  | 'head-timeout'
  | TargetErrorCode;

export interface RequestError {
  code: RequestErrorCode;
  /**
   * 400 for anything malformed (and a head cut short by the client's FIN), 408 for a head not complete
   * in time, 431 for a head over the limit, 505 for a well-formed HTTP/x.y other than 1.0 and 1.1.
   */
  status: 400 | 408 | 431 | 505;
  message: string;
  /** The first line as far as it was received, for logs ("" when nothing was). */
  requestLine: string;
}

export type HeadParseResult =
  | { outcome: 'incomplete' }
  | { outcome: 'request'; request: HttpRequest; /** Bytes of the head including its blank line; body or next request follows. */ headLength: number }
  | { outcome: 'error'; error: RequestError };

/** A head that needs no more bytes: answer it (with a file or with an error page). */
export type FinishedHead = Exclude<HeadParseResult, { outcome: 'incomplete' }>;

export interface HeadParseOptions {
  /** Largest head accepted, blank line included (default 16 KiB). */
  maxHeadBytes?: number;
}

export const DEFAULT_MAX_HEAD_BYTES = 16 * 1024;

const LF = 0x0a;
const CR = 0x0d;
// nginx's rule: methods are upper-case letters, "_" and "-"; "get" is a typo, not a method to 405.
const METHOD = /^[A-Z][A-Z_-]*$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FORBIDDEN_IN_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

export function parseRequestHead(bytes: Uint8Array, options: HeadParseOptions = {}): HeadParseResult {
  const maxHeadBytes = options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = locateHead(buffer);
  if (head === undefined || head.end > maxHeadBytes) {
    if (head === undefined && buffer.length < maxHeadBytes) return { outcome: 'incomplete' };
    const firstLine = firstLineOf(buffer, head?.start ?? skipBlankLines(buffer));
    return fail('head-too-large', 431, `the request head is larger than ${maxHeadBytes} bytes`, firstLine);
  }
  // latin1 maps each byte to one character, so nothing is lost or merged before the checks below.
  const lines = buffer.toString('latin1', head.start, head.linesEnd).split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const requestLine = lines[0]!;
  const parsed = parseRequestLine(requestLine);
  if ('code' in parsed) return { outcome: 'error', error: parsed };
  const headers: HeaderField[] = [];
  for (const line of lines.slice(1)) {
    const field = parseHeaderLine(line, requestLine);
    if ('code' in field) return { outcome: 'error', error: field };
    headers.push(field);
  }
  return { outcome: 'request', request: { ...parsed, headers, requestLine }, headLength: head.end };
}

interface HeadBounds {
  /** First byte of the request line (after any blank lines before it). */
  start: number;
  /** The LF ending the last line before the blank line: [start, linesEnd) holds the head's lines. */
  linesEnd: number;
  /** First byte after the blank line. */
  end: number;
}

function skipBlankLines(buffer: Buffer): number {
  let position = 0;
  for (;;) {
    if (buffer[position] === LF) position += 1;
    else if (buffer[position] === CR && buffer[position + 1] === LF) position += 2;
    else return position;
  }
}

function locateHead(buffer: Buffer): HeadBounds | undefined {
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
 * The error for a head that will never be complete: the client half-closed the connection, or the
 * header timeout ran out. Not found by parseRequestHead itself, which only sees bytes, not time or FIN.
 */
export function unfinishedHeadError(bytes: Uint8Array, cause: 'closed' | 'timeout', timeoutText = ''): RequestError {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const requestLine = firstLineOf(buffer, skipBlankLines(buffer));
  if (cause === 'closed') {
    return { code: 'incomplete-head', status: 400, message: 'the client closed its side before the blank line that ends the request head', requestLine };
  }
  return { code: 'head-timeout', status: 408, message: `no complete request head (ended by a blank line) within ${timeoutText}`, requestLine };
}

function firstLineOf(buffer: Buffer, start: number): string {
  const newline = buffer.indexOf(LF, start);
  const line = buffer.toString('latin1', start, newline === -1 ? buffer.length : newline);
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function fail(code: RequestErrorCode, status: RequestError['status'], message: string, requestLine: string): HeadParseResult {
  return { outcome: 'error', error: { code, status, message, requestLine } };
}

type RequestLineParts = Pick<HttpRequest, 'method' | 'target' | 'version' | 'path'>;

function parseRequestLine(line: string): RequestLineParts | RequestError {
  const error = (code: RequestErrorCode, message: string, status: RequestError['status'] = 400): RequestError => ({ code, status, message, requestLine: line });
  if (line.includes('\r') || line.includes('\0')) return error('bad-request-line', 'the request line holds a bare CR or a NUL byte');
  const parts = line.split(' ');
  if (parts.length !== 3 || parts.some((part) => part === '')) {
    return error('bad-request-line', `expected "METHOD /path HTTP/1.1" (three parts separated by single spaces), got "${line}"`);
  }
  const [method, target, versionText] = parts as [string, string, string];
  if (!METHOD.test(method)) return error('bad-method', `expected a method in upper case such as GET, got "${method}"`);
  const version = VERSION.exec(versionText);
  if (!version) return error('bad-version', `expected HTTP/1.1 or HTTP/1.0, got "${versionText}"`);
  const versionNumber = `${version[1]}.${version[2]}`;
  if (versionNumber !== '1.0' && versionNumber !== '1.1') {
    return error('unsupported-version', `HTTP/${versionNumber} is not supported; use HTTP/1.1 or HTTP/1.0`, 505);
  }
  const targetResult = parseRequestTarget(target);
  if (!targetResult.ok) return error(targetResult.error.code, targetResult.error.message);
  return { method, target, version: versionNumber, path: targetResult.path };
}

function parseHeaderLine(line: string, requestLine: string): HeaderField | RequestError {
  const error = (message: string): RequestError => ({ code: 'bad-header', status: 400, message, requestLine });
  const shown = JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
  if (line.startsWith(' ') || line.startsWith('\t')) return error(`header lines must not start with whitespace (obsolete line folding): ${shown}`);
  const colon = line.indexOf(':');
  if (colon === -1) return error(`expected "Name: value", found no colon in the header line ${shown}`);
  const name = line.slice(0, colon);
  if (!TOKEN.test(name)) return error(`expected a header name of letters, digits and !#$%&'*+-.^_\`|~ right before the colon, got ${JSON.stringify(name)}`);
  const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  if (FORBIDDEN_IN_VALUE.test(value)) return error(`the value of header "${name}" holds a NUL, CR or other control character`);
  return { name, value };
}
