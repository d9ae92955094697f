import { formatDuration } from '../common/duration.js';
import { firstLineOf, headLines, locateHead, type HeadBounds } from './find-head.js';
import { hasControlCharacter, parseHeaderFields, quoted, type HeaderField } from './header-fields.js';
import type { HeadFailure } from './read-head.js';

// The head of an HTTP/1.x request (request line + header fields + blank line), parsed from the
// bytes received so far: the one parser behind the web server and the proxy. A pure function: the
// caller feeds it everything buffered until the answer is no longer "incomplete", so every malformed
// input can be tested without a socket.
//
// Strict where sloppiness is a security or correctness problem (RFC 9112: no whitespace before a
// header's colon, no line folding, no bare CR, no NUL, a target of printable ASCII only), lenient
// where it only helps people typing requests by hand: bare LF line ends, blank lines before the
// request line, and no required Host header (students also use telnet and nc). What the target
// means (a file under the root, an origin server's URL) is each program's own business.

export type HttpVersion = '1.0' | '1.1';

export interface RequestHead {
  /** Case-sensitive, as sent: "GET", "HEAD", "POST"… (the parser does not judge support). */
  method: string;
  /** The request-target exactly as sent: printable ASCII, not yet interpreted. */
  target: string;
  version: HttpVersion;
  headers: HeaderField[];
  /** The request line as sent, without its line end. */
  requestLine: string;
}

export type RequestErrorCode =
  | 'bad-request-line'
  | 'bad-method'
  | 'bad-version'
  | 'unsupported-version'
  | 'bad-target'
  | 'bad-header'
  | 'head-too-large'
  | 'incomplete-head'
  | 'head-timeout';

/** `Code` lets a program add the codes of its own checks on top of the head (the web server's paths). */
export interface RequestError<Code extends string = RequestErrorCode> {
  code: Code;
  /**
   * 400 for anything malformed (and a head cut short by the client's FIN), 408 for a head not complete
   * in time, 431 for a head over the limit, 505 for a well-formed HTTP/x.y other than 1.0 and 1.1.
   */
  status: 400 | 408 | 431 | 505;
  message: string;
  /** The first line as far as it was received, for logs ("" when nothing was). */
  requestLine: string;
  /** Method and target, once the request line was read far enough to trust them (for logs). */
  seen?: { method: string; target: string };
}

export type HeadParseResult<Request extends RequestHead = RequestHead, Code extends string = RequestErrorCode> =
  | { outcome: 'incomplete' }
  | { outcome: 'request'; request: Request; /** Bytes of the head including its blank line; body or next request follows. */ headLength: number }
  | { outcome: 'error'; error: RequestError<Code> };

export interface HeadParseOptions {
  /** Largest head accepted, blank line included (default 16 KiB). */
  maxHeadBytes?: number;
}

export const DEFAULT_MAX_HEAD_BYTES = 16 * 1024;

// nginx's rule: methods are upper-case letters, "_" and "-"; "get" is a typo, not a method to forward
// or to answer 405. Every method IANA registers fits.
const METHOD = /^[A-Z][A-Z_-]*$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
// RFC 3986 allows only printable ASCII in a URI; anything else was not percent-encoded by the client.
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

export function parseRequestHead(bytes: Uint8Array, options: HeadParseOptions = {}): HeadParseResult {
  const maxHeadBytes = options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES;
  const bounds = locateHead(bytes, maxHeadBytes);
  if (bounds === 'incomplete') return { outcome: 'incomplete' };
  if (bounds === 'too-large') return { outcome: 'error', error: headTooLargeError(bytes, maxHeadBytes) };
  return parseLocatedRequestHead(bytes, bounds);
}

/**
 * The same parse for a head whose bounds the caller already found with locateHead (a reader of
 * pipelined requests does), so the bytes are not searched for the blank line twice.
 */
export function parseLocatedRequestHead(bytes: Uint8Array, bounds: HeadBounds): Exclude<HeadParseResult, { outcome: 'incomplete' }> {
  // Written out rather than with rest destructuring and spreads: this runs for every request, and
  // those took most of its time (measured: 6.3 µs before, on a server answering in tens of µs).
  const lines = headLines(bytes, bounds);
  const requestLine = lines[0];
  const parsed = parseRequestLine(requestLine);
  if ('code' in parsed) return { outcome: 'error', error: parsed };
  const fields = parseHeaderFields(lines, { from: 1 });
  if (!fields.ok) {
    return { outcome: 'error', error: { code: 'bad-header', status: 400, message: fields.message, requestLine, seen: { method: parsed.method, target: parsed.target } } };
  }
  const { method, target, version } = parsed;
  return { outcome: 'request', request: { method, target, version, headers: fields.headers, requestLine }, headLength: bounds.end };
}

/** The error for a head that cannot end within `maxHeadBytes`; `bytes` is what came so far. */
export function headTooLargeError(bytes: Uint8Array, maxHeadBytes: number): RequestError {
  return { code: 'head-too-large', status: 431, message: `the request head is larger than ${maxHeadBytes} bytes`, requestLine: firstLineOf(bytes) };
}

/**
 * The error for a head that will never be complete: the client half-closed the connection, or the
 * header timeout ran out. Not found by parseRequestHead itself, which only sees bytes, not time or FIN.
 */
export function unfinishedHeadError(bytes: Uint8Array, cause: 'closed' | 'timeout', timeoutText = ''): RequestError {
  const requestLine = firstLineOf(bytes);
  if (cause === 'closed') {
    return { code: 'incomplete-head', status: 400, message: 'the client closed its side before the blank line that ends the request head', requestLine };
  }
  return { code: 'head-timeout', status: 408, message: `no complete request head (ended by a blank line) within ${timeoutText}`, requestLine };
}

/** What to answer when readHead gave up on a request head (a socket error leaves nobody to answer). */
export function unreadHeadError(failure: Exclude<HeadFailure, { kind: 'error' }>): RequestError {
  switch (failure.kind) {
    case 'too-large':
      return headTooLargeError(failure.received, failure.limit);
    case 'timeout':
      return unfinishedHeadError(failure.received, 'timeout', formatDuration(failure.timeoutMs));
    case 'closed':
      return unfinishedHeadError(failure.received, 'closed');
  }
}

type RequestLineParts = Pick<RequestHead, 'method' | 'target' | 'version'>;

function parseRequestLine(line: string): RequestLineParts | RequestError {
  const error = (code: RequestErrorCode, message: string, status: RequestError['status'] = 400): RequestError => ({ code, status, message, requestLine: line });
  if (hasControlCharacter(line)) return error('bad-request-line', 'the request line holds a bare CR, a NUL byte or another control character');
  const parts = line.split(' ');
  if (parts.length !== 3 || parts.some((part) => part === '')) {
    return error('bad-request-line', `expected "METHOD /path HTTP/1.1" (three parts separated by single spaces), got ${quoted(line)}`);
  }
  const [method, target, versionText] = parts as [string, string, string];
  if (!METHOD.test(method)) return error('bad-method', `expected a method in upper case such as GET, got ${quoted(method)}`);
  // From here on the log can name the method and target the client sent.
  const seenError = (code: RequestErrorCode, message: string, status: RequestError['status'] = 400): RequestError => ({ ...error(code, message, status), seen: { method, target } });
  const version = VERSION.exec(versionText);
  if (!version) return seenError('bad-version', `expected HTTP/1.1 or HTTP/1.0, got ${quoted(versionText)}`);
  const versionNumber = `${version[1]}.${version[2]}`;
  if (versionNumber !== '1.0' && versionNumber !== '1.1') {
    return seenError('unsupported-version', `HTTP/${versionNumber} is not supported; use HTTP/1.1 or HTTP/1.0`, 505);
  }
  if (!VISIBLE_ASCII.test(target)) {
    return seenError('bad-target', 'the request target holds bytes that are not printable ASCII (spaces, control characters or non-ASCII must be percent-encoded)');
  }
  return { method, target, version: versionNumber };
}
