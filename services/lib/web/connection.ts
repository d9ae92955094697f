import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { formatAddress } from '../common/address.js';
import { describeError } from '../common/describe-error.js';
import { formatDuration } from '../common/duration.js';
import { isBlank } from '../http/find-head.js';
import { HeadReadError, readHead } from '../http/read-head.js';
import { unfinishedHeadError, unreadHeadError } from '../http/request-head.js';
import { answerForRefusedHead, answerForRequest, type Answer } from './answer.js';
import { parseWebRequestHead, type FinishedHead } from './request.js';
import { errorPage, formatResponseHead, loggableRequestLine } from './response.js';

// One client connection, one request: read the head (bounded in size and time), answer, close.
// Everything is event-driven, so a client that stalls holds only its own socket and timer, never
// the other clients.

export interface ConnectionOptions {
  realRoot: string;
  headerTimeoutMs: number;
  maxHeadBytes: number;
  /** One line per answered request, on stdout. */
  log(line: string): void;
  /** Problems of one connection, on stderr. */
  warn(line: string): void;
  /**
   * Called once the connection has something to answer (a complete head, a refused one, or a
   * timeout). Returning false drops the connection unanswered (--once: the one request is taken).
   */
  claim(): boolean;
  /** After the socket is fully closed; `answered` says whether a response was started. */
  onClosed(answered: boolean): void;
}

/** After our FIN, how long the client may take to close its side before the socket is destroyed. */
const LINGER_MS = 2000;
/** A client that stops reading the response for this long is cut off. */
const RESPONSE_IDLE_MS = 30_000;

export function serveConnection(socket: Socket, options: ConnectionOptions): void {
  // Captured now: after a reset Node no longer knows the remote address.
  const peer = formatAddress(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
  let answered = false;
  let abortBody: (() => void) | undefined;
  let lingerTimer: NodeJS.Timeout | undefined;

  socket.on('timeout', () => {
    options.warn(`${peer}: stopped reading the response for ${formatDuration(RESPONSE_IDLE_MS)}, closing the connection`);
    socket.destroy();
  });
  // A client misbehaving (reset, vanished) is that connection's problem, never the server's.
  socket.on('error', (error) => options.warn(`${peer}: ${describeError(error)}`));
  socket.on('close', () => {
    clearTimeout(lingerTimer);
    abortBody?.();
    options.onClosed(answered);
  });

  readHead(socket, { limit: options.maxHeadBytes, timeoutMs: options.headerTimeoutMs }).then(
    (bytes) => {
      // Whatever else arrives (a body, a pipelined request) is read and dropped: closing with unread
      // bytes makes the kernel send RST, which can destroy the response before it is read.
      socket.on('data', () => {});
      socket.resume();
      const result = parseWebRequestHead(bytes.head, { maxHeadBytes: options.maxHeadBytes });
      // readHead found the blank line by the same rule (http/find-head), so this is only a safeguard.
      finishHead(result.outcome === 'incomplete' ? { outcome: 'error', error: unfinishedHeadError(bytes.head, 'closed') } : result);
    },
    (error: HeadReadError) => {
      const failure = error.failure;
      // Nobody left to answer: a reset (told by the 'error' listener above) or a socket already closed.
      if (failure.kind === 'error' || socket.destroyed) return;
      // A FIN with nothing sent is a port probe or a browser's spare connection: no request, no log.
      if (failure.kind === 'closed' && isBlank(failure.received)) return void socket.end();
      finishHead({ outcome: 'error', error: unreadHeadError(failure) });
    },
  );

  function finishHead(result: FinishedHead): void {
    if (!options.claim()) {
      socket.destroy();
      return;
    }
    answered = true;
    socket.setTimeout(RESPONSE_IDLE_MS);
    const requestLine = loggableRequestLine(result.outcome === 'request' ? result.request.requestLine : result.error.requestLine);
    const answer = result.outcome === 'request' ? answerForRequest(result.request, options.realRoot) : Promise.resolve(answerForRefusedHead(result.error));
    answer.then(
      (decided) => send(decided, requestLine),
      (error: unknown) => {
        options.warn(`${peer}: cannot answer "${requestLine}": ${describeError(error)}`);
        const bytes = errorPage(500, 'The server could not read the file.');
        send({ status: 500, contentType: 'text/html; charset=utf-8', contentLength: bytes.length, body: { kind: 'bytes', bytes } }, requestLine);
      },
    );
  }

  function send(answer: Answer, requestLine: string): void {
    const head = formatResponseHead(answer);
    const logLine = (bodyBytes: number) => `web-server: ${peer} "${requestLine}" ${answer.status} ${bodyBytes}`;
    const logAndClose = (bodyBytes: number) => {
      options.log(logLine(bodyBytes));
      closeGracefully();
    };
    if (socket.destroyed) {
      // The client left while the file was being looked up.
      if (answer.body.kind === 'file') void answer.body.handle.close();
      return;
    }
    switch (answer.body.kind) {
      case 'none':
        socket.write(head);
        return logAndClose(0);
      case 'bytes':
        socket.write(Buffer.concat([head, answer.body.bytes]));
        return logAndClose(answer.body.bytes.length);
      case 'file':
        return streamFile(head, answer.body.handle, answer.body.length, logAndClose, (sent) =>
          options.log(`${logLine(sent)} (cut short: the connection closed after ${sent} of ${answer.contentLength} body bytes)`),
        );
    }
  }

  function streamFile(head: Buffer, handle: FileHandle, length: number, done: (bodyBytes: number) => void, cutShort: (bodyBytes: number) => void): void {
    let sent = 0;
    // end is inclusive; stopping at the stat'ed size keeps Content-Length true if the file grows meanwhile.
    const file = handle.createReadStream({ start: 0, end: length - 1 });
    // Corked so the head and the first chunk leave in one segment instead of two.
    socket.cork();
    socket.write(head);
    let corked = true;
    const uncork = () => {
      if (corked) socket.uncork();
      corked = false;
    };
    const onDrain = () => file.resume();
    socket.on('drain', onDrain);
    abortBody = () => {
      cutShort(sent);
      file.destroy();
    };
    file.on('data', (chunk: Buffer | string) => {
      sent += chunk.length;
      const keepGoing = socket.write(chunk);
      uncork();
      if (!keepGoing) file.pause();
    });
    file.on('end', () => {
      uncork();
      socket.off('drain', onDrain);
      abortBody = undefined;
      done(sent);
    });
    file.on('error', (error) => {
      options.warn(`${peer}: reading the file failed: ${describeError(error)}`);
      abortBody = undefined;
      cutShort(sent);
      socket.destroy();
    });
  }

  function closeGracefully(): void {
    socket.end();
    lingerTimer = setTimeout(() => socket.destroy(), LINGER_MS);
  }
}
