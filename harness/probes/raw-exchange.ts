// Exact bytes over TCP: send what the spec says, collect everything the server sends back until it
// closes or the time runs out. For malformed requests that no HTTP client library would send.
import { connect } from 'node:net';
import type { DetectedError } from '../model/result.js';

export interface RawExchange {
  received: Buffer;
  /** The server closed (or reset) the connection before the timeout. */
  closed: boolean;
  error: DetectedError | null;
  durationMs: number;
}

export interface RawOptions {
  host: string;
  port: number;
  send: Buffer;
  timeoutMs: number;
  /** Keep the connection open until `release` resolves instead of the timeout (a stalled client). */
  holdUntil?: Promise<void>;
  maxBytes?: number;
}

export function rawExchange(options: RawOptions): Promise<RawExchange> {
  const started = performance.now();
  const limit = options.maxBytes ?? 1024 * 1024;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let error: DetectedError | null = null;
    let closed = false;
    const socket = connect({ host: options.host, port: options.port });
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), closed, error, durationMs: Math.round(performance.now() - started) });
    };
    const timer = options.holdUntil ? undefined : setTimeout(finish, options.timeoutMs);
    void options.holdUntil?.then(finish);
    socket.on('connect', () => socket.write(options.send));
    socket.on('data', (chunk: Buffer) => {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    });
    socket.on('error', (cause: NodeJS.ErrnoException) => {
      error = { code: cause.code ?? 'EIO', message: cause.message };
      closed = true;
      finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
  });
}
