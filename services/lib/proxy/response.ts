import { headLines, locateHead } from '../http/find-head.js';
import { fieldValues, hasControlCharacter, listTokens, parseHeaderFields, quoted, serializeHead, type HeaderField } from '../http/header-fields.js';
import { STATUS_TEXT } from '../http/status-text.js';
import type { BodyFraming } from './body.js';
import { endToEndFields } from './hop-by-hop.js';

// Responses: the origin's head as the proxy reads it, the head the proxy sends the client in its
// place, and the small responses the proxy writes itself when something goes wrong.

export interface OriginResponseHead {
  status: number;
  /** The origin's reason phrase, possibly empty. */
  reason: string;
  headers: HeaderField[];
}

/** A response head that breaks the HTTP/1.1 grammar; the message says which line and how. */
export class MalformedHeadError extends Error {}

/** Throws MalformedHeadError: the origin did not speak HTTP/1.x. */
export function parseResponseHead(head: Buffer): OriginResponseHead {
  const bounds = locateHead(head);
  if (typeof bounds === 'string') throw new MalformedHeadError('no blank line ends the response head');
  const [statusLine, ...fieldLines] = headLines(head, bounds);
  const match = /^HTTP\/1\.\d (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match || hasControlCharacter(statusLine)) throw new MalformedHeadError(`not an HTTP/1.x status line: ${quoted(statusLine, 60)}`);
  // Unlike clients, origins may still fold long header lines: the proxy joins them with a space.
  const fields = parseHeaderFields(fieldLines, { allowFolding: true });
  if (!fields.ok) throw new MalformedHeadError(fields.message);
  return { status: Number(match[1]), reason: match[2] ?? '', headers: fields.headers };
}

/** 1xx responses other than 101 are interim: the real response follows on the same connection. */
export function isInterim(status: number): boolean {
  return status >= 100 && status < 200 && status !== 101;
}

/** How the response body is delimited (RFC 9112 §6.3). Throws MalformedHeadError for framings we cannot follow. */
export function responseBodyFraming(requestMethod: string, response: OriginResponseHead): BodyFraming {
  if (requestMethod === 'HEAD' || response.status === 204 || response.status === 304 || response.status < 200) {
    return { kind: 'none' };
  }
  const codings = listTokens(response.headers, 'transfer-encoding');
  if (codings.length > 0) {
    if (codings.length !== 1 || codings[0] !== 'chunked') {
      throw new MalformedHeadError(`unsupported response transfer coding "${codings.join(', ')}"`);
    }
    return { kind: 'chunked' };
  }
  const lengths = fieldValues(response.headers, 'content-length').flatMap((value) => value.split(',').map((item) => item.trim()));
  if (lengths.length === 0) return { kind: 'close' };
  const first = lengths[0]!;
  if (!/^\d{1,15}$/.test(first) || lengths.some((length) => length !== first)) {
    throw new MalformedHeadError(`bad Content-Length "${fieldValues(response.headers, 'content-length').join(', ')}"`);
  }
  return { kind: 'length', length: Number(first) };
}

/**
 * The head the client gets. A chunked body reaches the client de-chunked and close-delimited (no
 * Content-Length, Connection: close), which every HTTP/1.0 and 1.1 client understands and which
 * lets a cached copy be replayed byte for byte; other bodies keep their framing.
 */
export function clientResponseHead(response: OriginResponseHead, framing: BodyFraming, pseudonym: string): Buffer {
  const dropped = framing.kind === 'chunked' ? ['content-length', 'via'] : ['via'];
  const via = [...fieldValues(response.headers, 'via'), `1.1 ${pseudonym}`].join(', ');
  const fields: HeaderField[] = [
    ...endToEndFields(response.headers, dropped),
    { name: 'Via', value: via },
    { name: 'Connection', value: 'close' },
  ];
  return serializeHead(`HTTP/1.1 ${response.status} ${response.reason}`.trimEnd(), fields);
}

/** Adds one header just before the blank line of a head this proxy serialised. */
export function withField(head: Buffer, name: string, value: string): Buffer {
  const blankLine = head.length - 2; // serializeHead ends every head with "\r\n\r\n"
  return Buffer.concat([head.subarray(0, blankLine), Buffer.from(`${name}: ${value}\r\n\r\n`, 'latin1')]);
}

/** A response the proxy writes itself: a one-line text body naming the problem. */
export function proxyErrorResponse(status: number, message: string, requestMethod?: string): Buffer {
  const text = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  const body = Buffer.from(`${text}: ${message}\n`, 'utf8');
  const head = serializeHead(`HTTP/1.1 ${text}`, [
    { name: 'Content-Type', value: 'text/plain; charset=utf-8' },
    { name: 'Content-Length', value: String(body.length) },
    { name: 'Cache-Control', value: 'no-store' },
    { name: 'Connection', value: 'close' },
  ]);
  return requestMethod === 'HEAD' ? head : Buffer.concat([head, body]);
}
