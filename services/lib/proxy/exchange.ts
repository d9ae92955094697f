import type { Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { formatAddress } from '../common/address.js';
import { describeError } from '../common/describe-error.js';
import type { ProgramOutput } from '../common/program-output.js';
import { isBlank } from '../http/find-head.js';
import { HeadReadError, readHead, type HeadBytes } from '../http/read-head.js';
import { DEFAULT_MAX_HEAD_BYTES, unreadHeadError } from '../http/request-head.js';
import { mayAnswerFromCache, mayStore } from './cache-policy.js';
import type { CachedResponse, DiskCache } from './cache.js';
import { OriginFailure, requestFromOrigin, type OriginReply } from './origin.js';
import { relayResponse } from './relay.js';
import {
  expectsContinue,
  hasLooped,
  originRequestHead,
  parseProxyRequest,
  RequestRejection,
  type ProxyRequest,
} from './request.js';
import { clientResponseHead, MalformedHeadError, proxyErrorResponse, responseBodyFraming, withField } from './response.js';

// One client connection, one request: read the head, answer from the cache or fetch from the origin,
// log one line. Every exchange runs as its own chain of callbacks on Node's event loop, so a client
// waiting on a slow origin costs a few kilobytes of state, not a blocked thread (see services/proxy.ts).

export interface ProxyContext {
  /** null with --no-cache. */
  cache: DiskCache | null;
  originTimeoutMs: number;
  /** This proxy's name in Via headers, e.g. "socklab-proxy-8888"; seeing it come back means a loop. */
  pseudonym: string;
  output: ProgramOutput;
  /** Registers a socket (client or origin) for the shutdown to close. */
  track(socket: Socket): void;
}

/**
 * HIT served from the cache (the origin was not contacted); MISS fetched from the origin and stored;
 * NOCACHE fetched from the origin and not stored (not a GET, not 200, no-store/private, --no-cache);
 * ERROR the proxy answered with its own error, or the response was cut off.
 */
export type CacheOutcome = 'HIT' | 'MISS' | 'NOCACHE' | 'ERROR';

export interface ExchangeRecord {
  peer: string;
  /** "-" until the request line is read. */
  method: string;
  /** The normalised URL, the raw target when it was not a valid one, or "-". */
  url: string;
  outcome: CacheOutcome;
  /** The status sent to the client; 0 when nothing could be sent (the client went away). */
  status: number;
  /** Bytes of the response (head and body) written to the client. */
  bytes: number;
}

/** `proxy: 127.0.0.1:5555 GET http://127.0.0.1:4000/a HIT 200 1234` */
export function formatLogLine(record: ExchangeRecord): string {
  return `proxy: ${record.peer} ${record.method} ${record.url} ${record.outcome} ${record.status} ${record.bytes}`;
}

export const MAX_REQUEST_HEAD_BYTES = DEFAULT_MAX_HEAD_BYTES;
/** A client gets this long to send its whole request head (slow-loris clients tie up nothing longer). */
export const HEADER_TIMEOUT_MS = 5000;
/** After the proxy's own error response, a client that does not close is cut off after this long. */
const LINGER_AFTER_ERROR_MS = 2000;

export async function serveClient(client: Socket, context: ProxyContext): Promise<void> {
  // Captured now: after a reset Node no longer knows the remote address.
  const peer = formatAddress(client.remoteAddress ?? 'unknown', client.remotePort ?? 0);
  const record: ExchangeRecord = { peer, method: '-', url: '-', outcome: 'ERROR', status: 0, bytes: 0 };
  const warn = (line: string) => context.output.warn(`${peer}: ${line}`);
  // A client misbehaving (reset, vanished) is that exchange's problem, never the proxy's.
  client.on('error', (error) => warn(describeError(error)));
  context.track(client);

  const answerWithError = (status: number, message: string, method?: string) => {
    warn(`${status}: ${message}`);
    const response = proxyErrorResponse(status, message, method);
    record.outcome = 'ERROR';
    record.status = status;
    if (client.writable) {
      record.bytes = response.length;
      client.end(response);
      setTimeout(() => client.destroy(), LINGER_AFTER_ERROR_MS).unref();
    } else {
      client.destroy();
    }
    context.output.say(formatLogLine(record));
  };

  const head = await readRequestHead(client, answerWithError);
  if (!head) return;

  let request: ProxyRequest;
  try {
    request = parseProxyRequest(head.head);
  } catch (error) {
    if (!(error instanceof RequestRejection)) throw error;
    record.method = error.seen.method ?? '-';
    record.url = error.seen.target ?? '-';
    return answerWithError(error.status, error.message, record.method);
  }
  record.method = request.method;
  record.url = request.url.href;
  if (hasLooped(request, context.pseudonym)) {
    return answerWithError(508, `the request came back to this proxy (its Via header names ${context.pseudonym}): the URL points at the proxy itself`, request.method);
  }

  const cache = context.cache;
  if (cache && mayAnswerFromCache(request)) {
    const cached = await cache.open(request.url);
    if (cached) return answerFromCache(client, cached, record, context, warn);
  }

  if (request.body.kind !== 'none' && expectsContinue(request)) client.write('HTTP/1.1 100 Continue\r\n\r\n');
  const clientGone = new AbortController();
  const onClientClose = () => clientGone.abort();
  client.once('close', onClientClose);
  let reply: OriginReply;
  try {
    reply = await requestFromOrigin({
      request,
      requestHead: originRequestHead(request, context.pseudonym),
      client,
      clientRest: head.rest,
      timeoutMs: context.originTimeoutMs,
      signal: clientGone.signal,
      onSocket: (socket) => context.track(socket),
    });
  } catch (error) {
    if (error instanceof OriginFailure && error.clientGone) {
      warn(`${error.message} while waiting for the origin`);
      client.destroy();
      return context.output.say(formatLogLine(record));
    }
    if (error instanceof OriginFailure || error instanceof RequestRejection) return answerWithError(error.status, error.message, request.method);
    throw error;
  } finally {
    client.off('close', onClientClose);
  }
  return relayFromOrigin(client, request, reply, record, context, answerWithError, warn);
}

/** Resolves with the head, or with null after answering (408, 431, 400) or when there was no request. */
async function readRequestHead(
  client: Socket,
  answerWithError: (status: number, message: string) => void,
): Promise<HeadBytes | null> {
  try {
    return await readHead(client, { limit: MAX_REQUEST_HEAD_BYTES, timeoutMs: HEADER_TIMEOUT_MS });
  } catch (error) {
    if (!(error instanceof HeadReadError)) throw error;
    const failure = error.failure;
    if (failure.kind === 'error') {
      client.destroy();
    } else if (failure.kind === 'closed' && isBlank(failure.received)) {
      // A connection that ends without sending a request line made no request: nothing to log,
      // only our side to close (with allowHalfOpen, nothing else would).
      client.end();
    } else {
      const refused = unreadHeadError(failure);
      answerWithError(refused.status, refused.message);
    }
    return null;
  }
}

async function answerFromCache(
  client: Socket,
  cached: CachedResponse,
  record: ExchangeRecord,
  context: ProxyContext,
  warn: (line: string) => void,
): Promise<void> {
  const head = withField(cached.head, 'X-Cache', 'HIT');
  record.outcome = 'HIT';
  record.status = Number(cached.head.toString('latin1', 9, 12));
  client.write(head);
  try {
    // pipeline ends the client after the last byte, and closes the file if the client goes away.
    await pipeline(cached.body, client);
    record.bytes = head.length + cached.bodyBytes;
  } catch (error) {
    record.outcome = 'ERROR';
    record.bytes = head.length + cached.body.bytesRead;
    warn(`cached response cut off: ${describeError(error)}`);
    client.destroy();
  }
  context.output.say(formatLogLine(record));
}

async function relayFromOrigin(
  client: Socket,
  request: ProxyRequest,
  reply: OriginReply,
  record: ExchangeRecord,
  context: ProxyContext,
  answerWithError: (status: number, message: string, method?: string) => void,
  warn: (line: string) => void,
): Promise<void> {
  let framing;
  try {
    framing = responseBodyFraming(request.method, reply.head);
  } catch (error) {
    reply.socket.destroy();
    if (error instanceof MalformedHeadError) return answerWithError(502, `malformed response from the origin: ${error.message}`, request.method);
    throw error;
  }
  const head = clientResponseHead(reply.head, framing, context.pseudonym);
  const entry = context.cache && mayStore(request, reply.head) ? context.cache.begin(request.url, head) : null;
  let stored = false;
  record.status = reply.head.status;
  const outcome = await relayResponse({
    client,
    origin: reply.socket,
    head: withField(head, 'X-Cache', 'MISS'),
    rest: reply.rest,
    framing,
    idleTimeoutMs: context.originTimeoutMs,
    onData: (data) => entry?.write(data),
    beforeLastWrite: async () => {
      if (entry) stored = await entry.commit();
    },
  });
  reply.socket.destroy();
  record.bytes = outcome.bytesSent;
  if (outcome.complete) {
    record.outcome = stored ? 'MISS' : 'NOCACHE';
  } else {
    entry?.discard();
    record.outcome = 'ERROR';
    warn(`response cut off: ${outcome.problem ?? 'unknown reason'}`);
    client.destroy();
  }
  context.output.say(formatLogLine(record));
}
