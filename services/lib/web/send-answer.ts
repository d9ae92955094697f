import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import type { AnswerBody } from './answer.js';
import { responseBytes } from './response.js';

// Writing one response onto the socket: small bodies together with the head in a single write (one
// syscall, and one TCP segment when it fits), files streamed with backpressure so a slow client
// holds a file handle, not the file's bytes in memory.

export interface SendEvents {
  /** Every body byte was handed to the socket. */
  done(bodyBytes: number): void;
  /** The connection closed, or the file could not be read, after `bodyBytes` body bytes. */
  cutShort(bodyBytes: number): void;
  /** Reading the file failed; the connection is destroyed (Content-Length can no longer be kept). */
  readFailed(error: Error): void;
}

/** Returns a function that stops a streamed body (the socket closed meanwhile); undefined when all was written at once. */
export function sendAnswer(socket: Socket, head: string, body: AnswerBody, events: SendEvents): (() => void) | undefined {
  switch (body.kind) {
    case 'none':
      socket.write(head, 'latin1');
      events.done(0);
      return undefined;
    case 'bytes':
      socket.write(responseBytes(head, body.bytes));
      events.done(body.bytes.length);
      return undefined;
    case 'file':
      return streamFile(socket, head, body.handle, body.length, events);
  }
}

function streamFile(socket: Socket, head: string, handle: FileHandle, length: number, events: SendEvents): () => void {
  let sent = 0;
  let finished = false;
  // end is inclusive; stopping at the stat'ed size keeps Content-Length true if the file grows meanwhile.
  const file = handle.createReadStream({ start: 0, end: length - 1 });
  // Corked so the head and the first chunk leave in one segment instead of two.
  socket.cork();
  socket.write(head, 'latin1');
  let corked = true;
  const uncork = () => {
    if (corked) socket.uncork();
    corked = false;
  };
  const onDrain = () => file.resume();
  socket.on('drain', onDrain);
  const finish = () => {
    finished = true;
    uncork();
    socket.off('drain', onDrain);
  };
  file.on('data', (chunk: Buffer | string) => {
    sent += chunk.length;
    const keepGoing = socket.write(chunk);
    uncork();
    if (!keepGoing) file.pause();
  });
  file.on('end', () => {
    finish();
    // The file ended before its stat'ed size (it shrank): the promised Content-Length cannot be kept.
    if (sent < length) {
      events.cutShort(sent);
      socket.destroy();
      return;
    }
    events.done(sent);
  });
  file.on('error', (error) => {
    finish();
    events.readFailed(error);
    events.cutShort(sent);
    socket.destroy();
  });
  return () => {
    if (finished) return;
    finish();
    events.cutShort(sent);
    file.destroy();
  };
}
