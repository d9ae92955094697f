import { connect, type Socket } from 'node:net';
import { formatAddress } from '../common/address.js';
import { describeError } from '../common/describe-error.js';
import { formatDuration } from '../common/duration.js';
import { HeadReadError, readHead } from '../http/read-head.js';
import { BodyReader, MalformedBodyError, type BodyFraming } from './body.js';
import { originAddress, RequestRejection, type ProxyRequest } from './request.js';
import { isInterim, MalformedHeadError, parseResponseHead, type OriginResponseHead } from './response.js';

// Talking to the origin server: connect, send the request (and its body, streamed from the client),
// and wait for the response head. What can go wrong becomes an OriginFailure carrying the status the
// client should see: 502 when the origin cannot be reached or does not speak HTTP, 504 when it is
// too slow.

const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

export class OriginFailure extends Error {
  constructor(
    readonly status: 502 | 504,
    message: string,
    /** The client went away first: nobody is left to answer. */
    readonly clientGone = false,
  ) {
    super(message);
  }
}

export interface OriginReply {
  head: OriginResponseHead;
  /** Connected, paused, positioned right after the head; the caller reads the body from here. */
  socket: Socket;
  /** Body bytes that arrived together with the head. */
  rest: Buffer;
}

export interface OriginRequestOptions {
  request: ProxyRequest;
  /** The serialised head for the origin (see originRequestHead). */
  requestHead: Buffer;
  client: Socket;
  /** Body bytes the client sent together with its head. */
  clientRest: Buffer;
  /** Budget for DNS, connect and the response head together. */
  timeoutMs: number;
  /** Aborted when the client disconnects while we wait. */
  signal: AbortSignal;
  /** Sees the origin socket as soon as it exists (so a shutdown can close it). */
  onSocket(socket: Socket): void;
}

/** Rejects with OriginFailure or RequestRejection (a broken request body). */
export function requestFromOrigin(options: OriginRequestOptions): Promise<OriginReply> {
  const { host, port } = originAddress(options.request.url);
  const where = formatAddress(host, port);
  const socket = connect({ host, port });
  options.onSocket(socket);
  // Errors surface through readHead while we wait and through the relay afterwards; this listener
  // only makes sure no late error (after a destroy) can become an uncaught exception.
  socket.on('error', () => {});

  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: OriginReply | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      if (outcome instanceof Error) {
        socket.destroy();
        reject(outcome);
      } else {
        resolve(outcome);
      }
    };
    const timer = setTimeout(
      () => settle(new OriginFailure(504, `no response from ${where} within ${formatDuration(options.timeoutMs)}`)),
      options.timeoutMs,
    );
    const onAbort = () => settle(new OriginFailure(502, 'the client closed the connection', true));
    options.signal.addEventListener('abort', onAbort);

    let connected = false;
    socket.once('connect', () => {
      connected = true;
      socket.write(options.requestHead);
      forwardRequestBody(options.client, options.clientRest, options.request.body, socket).catch((error: Error) => settle(error));
    });
    readFinalHead(socket, where, () => connected).then(settle, settle);
  });
}

/** Reads heads until a final (non-1xx) one; interim responses such as 103 Early Hints are dropped. */
async function readFinalHead(socket: Socket, where: string, connected: () => boolean): Promise<OriginReply> {
  let pending: Buffer = Buffer.alloc(0);
  for (;;) {
    let bytes;
    try {
      bytes = await readHead(socket, { limit: MAX_RESPONSE_HEAD_BYTES, initial: pending });
    } catch (error) {
      throw originReadFailure(error, where, connected());
    }
    let head: OriginResponseHead;
    try {
      head = parseResponseHead(bytes.head);
    } catch (error) {
      if (error instanceof MalformedHeadError) throw new OriginFailure(502, `malformed response from ${where}: ${error.message}`);
      throw error;
    }
    if (head.status === 101) throw new OriginFailure(502, `${where} switched protocols (101), which this proxy does not relay`);
    if (!isInterim(head.status)) return { head, socket, rest: bytes.rest };
    pending = bytes.rest;
  }
}

function originReadFailure(error: unknown, where: string, connected: boolean): OriginFailure {
  const failure = error instanceof HeadReadError ? error.failure : { kind: 'error' as const, error: error as Error };
  switch (failure.kind) {
    case 'error':
      return new OriginFailure(
        502,
        connected ? `lost the connection to ${where}: ${describeError(failure.error)}` : `cannot connect to ${where}: ${describeError(failure.error)}`,
      );
    case 'closed':
      return new OriginFailure(502, `${where} closed the connection before a complete response head (${failure.received.length} bytes)`);
    case 'too-large':
      return new OriginFailure(502, `the response head from ${where} is over ${failure.limit / 1024} KiB`);
    case 'timeout':
      return new OriginFailure(504, `no response head from ${where} within ${formatDuration(failure.timeoutMs)}`);
  }
}

/**
 * Streams the request body from the client to the origin: exactly the bytes of this one body
 * (chunked bodies with their framing), pausing the client while the origin's buffer is full.
 */
export function forwardRequestBody(client: Socket, first: Buffer, framing: BodyFraming, origin: Socket): Promise<void> {
  const reader = new BodyReader(framing);
  if (reader.done) {
    ignoreFurtherInput(client);
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    let waitingForDrain = false;
    const finish = (error?: Error) => {
      client.off('data', take);
      client.off('end', onClientEnd);
      if (error) {
        client.pause();
        reject(error);
      } else {
        ignoreFurtherInput(client);
        resolve();
      }
    };
    function take(chunk: Buffer) {
      let piece;
      try {
        piece = reader.push(chunk);
      } catch (error) {
        if (error instanceof MalformedBodyError) return finish(new RequestRejection(400, `malformed request body: ${error.message}`));
        throw error;
      }
      if (piece.raw.length > 0 && !origin.write(piece.raw) && !waitingForDrain) {
        waitingForDrain = true;
        client.pause();
        origin.once('drain', () => {
          waitingForDrain = false;
          if (!reader.done) client.resume();
        });
      }
      if (piece.done) finish();
    }
    function onClientEnd() {
      finish(new RequestRejection(400, `the request body ended after ${reader.dataBytes} bytes, before its declared end`));
    }
    client.on('data', take);
    client.on('end', onClientEnd);
    if (first.length > 0) take(first);
    if (!reader.done && !waitingForDrain) client.resume();
  });
}

/**
 * Keeps reading the client after its request, throwing the bytes away (one request per connection).
 * A paused socket stops reading once its buffer is full (a client sending on after its request) and
 * would then not notice a reset while the origin is still being waited for. A half-close (FIN) is
 * not a hang-up: the client still wants the response.
 */
function ignoreFurtherInput(client: Socket): void {
  client.on('data', () => {});
  client.resume();
}
