// Exact bytes over TCP: send what the spec says, collect everything the server sends back until it
// closes or the time runs out. For malformed requests that no HTTP client library would send.
import type { Socket } from 'node:net';
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
  /** Makes the TCP connection (HostNetwork.connectTcp: from here, or from a host of the experiment's world). */
  connect: (host: string, port: number, timeoutMs: number) => Promise<Socket>;
}

export async function rawExchange(options: RawOptions): Promise<RawExchange> {
  const started = performance.now();
  const limit = options.maxBytes ?? 1024 * 1024;
  let socket: Socket;
  try {
    socket = await options.connect(options.host, options.port, options.timeoutMs);
  } catch (cause) {
    const { code, message } = cause as NodeJS.ErrnoException;
    return { received: Buffer.alloc(0), closed: true, error: { code: code ?? 'EIO', message }, durationMs: Math.round(performance.now() - started) };
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let error: DetectedError | null = null;
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), closed, error, durationMs: Math.round(performance.now() - started) });
    };
    const timer = options.holdUntil ? undefined : setTimeout(finish, options.timeoutMs);
    void options.holdUntil?.then(finish);
    socket.write(options.send);
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
    socket.resume();
  });
}
