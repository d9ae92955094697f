import { STATUS_TEXT } from '../http/status-text.js';
import type { Persistence } from './keep-alive.js';

// Response heads and the small HTML pages sent with error statuses.

export const SERVER_NAME = 'socklab-web-server';

export interface ResponseHead {
  status: number;
  contentType: string;
  contentLength: number;
  /** Whether the connection stays open after this response (keep-alive.ts decides). */
  connection: Persistence;
  /** Extra fields after the standard ones, e.g. Allow or Last-Modified. */
  extraHeaders?: Record<string, string>;
  /** Defaults to now; tests pass a fixed date. */
  date?: Date;
}

/**
 * The status line and header fields up to and including the blank line, as latin1 text. Always
 * HTTP/1.1 (a server answers with the highest minor version it supports, RFC 9110 §6.2), and always
 * an explicit Connection field: an HTTP/1.0 client needs "keep-alive" to keep the connection, and
 * "close" tells any client not to send another request on it.
 */
export function formatResponseHead(head: ResponseHead): string {
  let text =
    `HTTP/1.1 ${head.status} ${STATUS_TEXT[head.status] ?? 'Unknown'}\r\n` +
    `Content-Type: ${head.contentType}\r\nContent-Length: ${head.contentLength}\r\n` +
    `Date: ${head.date ? head.date.toUTCString() : httpDate()}\r\nServer: ${SERVER_NAME}\r\nConnection: ${head.connection}\r\n`;
  if (head.extraHeaders) for (const name in head.extraHeaders) text += `${name}: ${head.extraHeaders[name]}\r\n`;
  return `${text}\r\n`;
}

/** Head and body in one buffer, so they leave in one write (and, when small, one TCP segment). */
export function responseBytes(head: string, body?: Buffer): Buffer {
  const headLength = Buffer.byteLength(head, 'latin1');
  const bytes = Buffer.allocUnsafe(headLength + (body?.length ?? 0));
  bytes.write(head, 0, 'latin1');
  body?.copy(bytes, headLength);
  return bytes;
}

let dateSecond = NaN;
let dateText = '';

/**
 * Now as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 §5.6.7: exactly what toUTCString
 * gives), formatted once per second rather than once per response.
 */
export function httpDate(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

/** A complete little page; `detail` is plain text and is escaped here. */
export function errorPage(status: number, detail: string): Buffer {
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  return Buffer.from(
    '<!DOCTYPE html>\n' +
      `<html lang="en">\n<head><meta charset="utf-8"><title>${title}</title></head>\n` +
      `<body>\n<h1>${title}</h1>\n<p>${escapeHtml(detail)}</p>\n<hr>\n<address>${SERVER_NAME}</address>\n</body>\n</html>\n`,
    'utf8',
  );
}

/**
 * The request line as it goes into a log line: printable ASCII kept, everything else (control bytes,
 * quotes, backslashes, non-ASCII) as \xHH so a hostile request cannot forge or break log lines.
 */
export function loggableRequestLine(line: string, maxLength = 200): string {
  if (line === '') return '-';
  const shortened = line.length > maxLength ? line.slice(0, maxLength) : line;
  const escaped = shortened.replace(/[^\x20-\x7e]|["\\]/g, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return line.length > maxLength ? `${escaped}...` : escaped;
}
