import type { HeaderField } from '../http/header-fields.js';
import type { HttpVersion } from '../http/request-head.js';

// Whether a connection stays open for another request after a response (RFC 9112 §9.3). HTTP/1.1
// connections persist unless a side says "Connection: close"; HTTP/1.0 ones close unless the client
// says "Connection: keep-alive". The server closes on its own in the cases below, and says so in the
// response's own Connection field, so the client never sends a request into a closing connection.

export type Persistence = 'keep-alive' | 'close';

/** How long and how much one connection may be used; both are command-line options. */
export interface PersistenceLimits {
  /** A kept-alive connection with no new request for this long is closed (default 5s). */
  idleTimeoutMs: number;
  /** The response to this request number on one connection says "Connection: close" (default 1000). */
  maxRequests: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_REQUESTS = 1000;

export interface AnsweredRequest {
  version: HttpVersion;
  headers: HeaderField[];
  status: number;
  /** 1 for the first request on the connection. */
  number: number;
}

/** What the client asked for, before the server has its say. */
export function clientPersistence(version: HttpVersion, headers: readonly HeaderField[]): Persistence {
  let keepAlive = version === '1.1';
  // Plain loops, no arrays built: this runs for every request.
  for (const { name, value } of headers) {
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    for (const option of value.split(',')) {
      const token = option.trim().toLowerCase();
      if (token === 'close') return 'close';
      if (token === 'keep-alive') keepAlive = true;
    }
  }
  return keepAlive ? 'keep-alive' : 'close';
}

/**
 * A body follows the head. The server reads no request bodies (it answers GET and HEAD, which have
 * none, and refuses the rest with 405), so it cannot tell where such a body ends and the next request
 * begins: it answers, then closes. A bad Content-Length lands here too, and is never interpreted.
 */
export function announcesBody(headers: readonly HeaderField[]): boolean {
  for (const { name, value } of headers) {
    const lowerName = name.toLowerCase();
    if (lowerName === 'transfer-encoding') return true;
    if (lowerName === 'content-length' && value.split(',').some((item) => item.trim() !== '0')) return true;
  }
  return false;
}

/** The client's last request on this connection: it asked to close, and no body follows that it might still be sending. */
export function clientSendsNoMore(version: HttpVersion, headers: readonly HeaderField[]): boolean {
  return clientPersistence(version, headers) === 'close' && !announcesBody(headers);
}

/**
 * The Connection of the response to a request the server understood. A refused head (400, 408, 431,
 * 505) always closes, since nothing says where the next request would start: callers pass none here.
 */
export function persistenceAfter(request: AnsweredRequest, limits: Pick<PersistenceLimits, 'maxRequests'>): Persistence {
  if (clientPersistence(request.version, request.headers) === 'close') return 'close';
  if (announcesBody(request.headers)) return 'close';
  // 500: the server itself is in trouble; a fresh connection costs the client little.
  if (request.status >= 500) return 'close';
  return request.number >= limits.maxRequests ? 'close' : 'keep-alive';
}
