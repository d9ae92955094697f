import type { Socket } from 'node:net';
import { locateHead } from './find-head.js';

// Reads one message head off a socket: everything up to the blank line, bounded in size and, if the
// caller asks, in time. The bytes that came after it in the same reads (the start of a body) are
// handed back, not lost. The web server and the proxy read their clients' requests with it, and the
// proxy its origins' responses.

export interface HeadBytes {
  head: Buffer;
  /** Bytes read past the head: the beginning of the body. */
  rest: Buffer;
}

export interface HeadReadOptions {
  /** Largest head accepted, blank line (and any blank lines before the start line) included. */
  limit: number;
  /** Time for the whole head, from now; none by default (the caller may destroy the socket instead). */
  timeoutMs?: number;
  /** Bytes already read (what followed an interim 1xx response). */
  initial?: Buffer;
}

/** Every failure but `error` hands back what was received, for the log and the error response. */
export type HeadFailure =
  | { kind: 'too-large'; limit: number; received: Buffer }
  /** The peer ended its side (FIN) or the socket closed before the blank line. */
  | { kind: 'closed'; received: Buffer }
  | { kind: 'timeout'; timeoutMs: number; received: Buffer }
  | { kind: 'error'; error: Error };

export class HeadReadError extends Error {
  constructor(readonly failure: HeadFailure) {
    super(failure.kind === 'error' ? failure.error.message : failure.kind);
  }
}

/**
 * Resolves with the head once its blank line arrived, leaving the socket paused for the caller to
 * read the body; rejects with a HeadReadError, leaving the socket reading and dropping whatever else
 * arrives: the caller answers with an error and closes, and closing with unread bytes makes the
 * kernel send RST, which can destroy that answer before the client reads it.
 */
export function readHead(socket: Socket, options: HeadReadOptions): Promise<HeadBytes> {
  const { limit, timeoutMs, initial = Buffer.alloc(0) } = options;
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    let settled = false;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => settle({ failure: { kind: 'timeout', timeoutMs, received: buffered } }), timeoutMs);
    const settle = (outcome: { head: HeadBytes } | { failure: HeadFailure }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Pause before removing the listener: a flowing stream with no 'data' listener drops data.
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onClosed);
      socket.off('close', onClosed);
      socket.off('error', onError);
      if ('head' in outcome) return resolve(outcome.head);
      socket.on('data', () => {});
      socket.resume();
      reject(new HeadReadError(outcome.failure));
    };
    function onData(chunk: Buffer) {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const bounds = locateHead(buffered, limit);
      if (bounds === 'too-large') settle({ failure: { kind: 'too-large', limit, received: buffered } });
      else if (bounds !== 'incomplete') settle({ head: { head: buffered.subarray(0, bounds.end), rest: buffered.subarray(bounds.end) } });
    }
    function onClosed() {
      settle({ failure: { kind: 'closed', received: buffered } });
    }
    function onError(error: Error) {
      settle({ failure: { kind: 'error', error } });
    }
    socket.on('data', onData);
    socket.on('end', onClosed);
    socket.on('close', onClosed);
    socket.on('error', onError);
    if (initial.length > 0) onData(initial);
    if (settled) return;
    // A socket that already closed emits no further events: answer now rather than never.
    if (socket.destroyed) return onClosed();
    socket.resume();
  });
}
