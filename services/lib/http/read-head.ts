import type { Socket } from 'node:net';
import { locateHead } from './find-head.js';

// Reads one message head off a socket: everything up to the blank line, bounded in size. The bytes
// that came after it in the same reads (the start of a body) are handed back, not lost.

export interface HeadBytes {
  head: Buffer;
  /** Bytes read past the head: the beginning of the body. */
  rest: Buffer;
}

export type HeadFailure =
  | { kind: 'too-large'; limit: number }
  /** The peer ended its side (or the socket closed) before the blank line; `received` bytes came. */
  | { kind: 'closed'; received: number }
  | { kind: 'error'; error: Error };

export class HeadReadError extends Error {
  constructor(readonly failure: HeadFailure) {
    super(failure.kind === 'error' ? failure.error.message : failure.kind);
  }
}

/**
 * Resolves with the head once its blank line arrived, leaving the socket paused; rejects with a
 * HeadReadError. `initial` holds bytes already read (what followed an interim 1xx response). Time
 * limits are the caller's: it destroys the socket, which ends this read.
 */
export function readHead(socket: Socket, limit: number, initial: Buffer = Buffer.alloc(0)): Promise<HeadBytes> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    let settled = false;
    const settle = (outcome: { head: HeadBytes } | { failure: HeadFailure }) => {
      if (settled) return;
      settled = true;
      // Pause before removing the listener: a flowing stream with no 'data' listener drops data.
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onClosed);
      socket.off('close', onClosed);
      socket.off('error', onError);
      if ('head' in outcome) resolve(outcome.head);
      else reject(new HeadReadError(outcome.failure));
    };
    function onData(chunk: Buffer) {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const bounds = locateHead(buffered, limit);
      if (bounds === 'too-large') settle({ failure: { kind: 'too-large', limit } });
      else if (bounds !== 'incomplete') settle({ head: { head: buffered.subarray(0, bounds.end), rest: buffered.subarray(bounds.end) } });
    }
    function onClosed() {
      settle({ failure: { kind: 'closed', received: buffered.length } });
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
