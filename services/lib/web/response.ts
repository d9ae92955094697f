import { STATUS_TEXT } from '../http/status-text.js';

// Response heads and the small HTML pages sent with error statuses.

export const SERVER_NAME = 'socklab-web-server';

export interface ResponseHead {
  status: number;
  contentType: string;
  contentLength: number;
  /** Extra fields after the standard ones, e.g. Allow or Last-Modified. */
  extraHeaders?: Record<string, string>;
  /** Defaults to now; tests pass a fixed date. */
  date?: Date;
}

/**
 * The status line and header fields up to and including the blank line. Always HTTP/1.1 (a server
 * answers with the highest minor version it supports, RFC 9110 §6.2) and always Connection: close,
 * since every connection carries exactly one request.
 */
export function formatResponseHead(head: ResponseHead): Buffer {
  const fields: Array<[string, string]> = [
    ['Content-Type', head.contentType],
    ['Content-Length', String(head.contentLength)],
    // toUTCString() is exactly the IMF-fixdate of RFC 7231 §7.1.1.1: "Sun, 06 Nov 1994 08:49:37 GMT".
    ['Date', (head.date ?? new Date()).toUTCString()],
    ['Server', SERVER_NAME],
    ['Connection', 'close'],
    ...Object.entries(head.extraHeaders ?? {}),
  ];
  const lines = [`HTTP/1.1 ${head.status} ${STATUS_TEXT[head.status] ?? 'Unknown'}`, ...fields.map(([name, value]) => `${name}: ${value}`)];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
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
