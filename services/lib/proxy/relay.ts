import type { Socket } from 'node:net';
import { describeError } from '../common/describe-error.js';
import { formatDuration } from '../common/duration.js';
import { BodyReader, MalformedBodyError, type BodyFraming } from './body.js';

// Relays one response from the origin to the client: the head, then the body as it arrives, binary
// safe and of any length, never holding more than the sockets' buffers (the origin is paused while
// the client is slow to read).

export interface RelayOptions {
  client: Socket;
  /** Paused, positioned after the response head. */
  origin: Socket;
  /** The head for the client. */
  head: Buffer;
  /** Body bytes that came with the origin's head. */
  rest: Buffer;
  framing: BodyFraming;
  /** The longest the origin may go silent in the middle of the body. */
  idleTimeoutMs: number;
  /** Sees every body byte the client gets, in order (chunked bodies de-chunked). */
  onData(data: Buffer): void;
  /**
   * Runs when the body is complete, before its last bytes go out. The cache stores the entry here:
   * a client that has the whole response can count on the next request being a hit.
   */
  beforeLastWrite(): Promise<void>;
}

export interface RelayOutcome {
  complete: boolean;
  /** Head plus body bytes written to the client. */
  bytesSent: number;
  /** Why the response is incomplete. */
  problem?: string;
}

export function relayResponse(options: RelayOptions): Promise<RelayOutcome> {
  const { client, origin } = options;
  const reader = new BodyReader(options.framing);
  let headPending: Buffer | null = options.head;
  let bytesSent = 0;
  let waitingForClient = false;
  let idleTimer: NodeJS.Timeout | undefined;

  return new Promise((resolve) => {
    let settled = false;
    const stopListening = () => {
      settled = true;
      clearTimeout(idleTimer);
      origin.off('data', deliver);
      origin.off('end', onOriginEnd);
      origin.off('close', onOriginClose);
      origin.off('error', onOriginError);
      client.off('close', onClientClose);
      client.off('drain', onClientDrain);
    };
    const fail = (problem: string) => {
      if (settled) return;
      stopListening();
      resolve({ complete: false, bytesSent, problem });
    };
    const complete = (lastData: Buffer[]) => {
      if (settled) return;
      stopListening();
      options.beforeLastWrite().then(
        () => {
          if (client.destroyed) return resolve({ complete: false, bytesSent, problem: 'the client closed the connection' });
          send(lastData);
          client.end();
          resolve({ complete: true, bytesSent });
        },
        (error: unknown) => resolve({ complete: false, bytesSent, problem: describeError(error) }),
      );
    };

    /** Writes to the client; false when its buffer is full. */
    function send(parts: Buffer[]): boolean {
      let roomLeft = true;
      for (const part of headPending ? [headPending, ...parts] : parts) {
        if (part.length === 0) continue;
        bytesSent += part.length;
        roomLeft = client.write(part);
      }
      headPending = null;
      return roomLeft;
    }

    function deliver(chunk: Buffer) {
      let piece;
      try {
        piece = reader.push(chunk);
      } catch (error) {
        if (error instanceof MalformedBodyError) return fail(`malformed chunked body from the origin: ${error.message}`);
        throw error;
      }
      for (const data of piece.data) options.onData(data);
      if (piece.done) return complete(piece.data);
      if (!send(piece.data)) {
        // Back-pressure: stop reading the origin until the client has taken what we gave it.
        waitingForClient = true;
        origin.pause();
        clearTimeout(idleTimer);
        return;
      }
      armIdleTimer();
    }
    function onClientDrain() {
      if (!waitingForClient) return;
      waitingForClient = false;
      armIdleTimer();
      origin.resume();
    }
    function armIdleTimer() {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () => fail(`the origin sent nothing for ${formatDuration(options.idleTimeoutMs)} in the middle of the body (${reader.dataBytes} bytes so far)`),
        options.idleTimeoutMs,
      );
    }
    function onOriginEnd() {
      // Close-delimited bodies end here; any other body must have ended already.
      if (reader.endOfInput()) complete([]);
      else fail(`the origin closed the connection after ${reader.dataBytes} body bytes, before the body's end`);
    }
    function onOriginClose() {
      fail(`the origin connection closed after ${reader.dataBytes} body bytes`);
    }
    function onOriginError(error: Error) {
      fail(`lost the connection to the origin: ${describeError(error)}`);
    }
    function onClientClose() {
      fail('the client closed the connection before the response was complete');
    }

    origin.on('data', deliver);
    origin.on('end', onOriginEnd);
    origin.on('close', onOriginClose);
    origin.on('error', onOriginError);
    client.on('close', onClientClose);
    client.on('drain', onClientDrain);
    if (reader.done) return complete([]);
    if (options.rest.length > 0) deliver(options.rest);
    if (settled) return;
    // The head goes out now even if no body byte has come yet, so the client sees the status early.
    if (headPending) send([]);
    armIdleTimer();
    if (!waitingForClient) origin.resume();
  });
}
