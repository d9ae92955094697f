// A real HTTP/1.1 client request (node:http), with the path sent exactly as written: no URL
// normalisation, so `/../etc/passwd` reaches the server as is. Through a proxy the request line
// carries the absolute URL, as curl -x and browsers send it. Failures are data, never thrown.
import http from 'node:http';
import type net from 'node:net';
import type { DetectedError } from '../model/result.js';

export interface HttpRequestOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** `http://host:port` of a proxy to send the request to, in absolute form. */
  proxy?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Aborted when no response can come any more (stillness.ts): the request ends as its timeout would
   * (ETIMEDOUT), with the abort's reason, a string, as its message.
   */
  decided?: AbortSignal;
  /** Called once the whole request has been handed to the kernel. */
  onSent?: () => void;
  /** Called whenever response bytes arrive. */
  onProgress?: () => void;
  maxBodyBytes?: number;
  /** Makes the TCP connection (in an experiment's world, from its client host); default: a plain connect from here. */
  connect?: (host: string, port: number, timeoutMs: number) => Promise<net.Socket>;
}

export interface HttpExchange {
  ok: boolean;
  status?: number;
  statusText?: string;
  httpVersion?: string;
  headers: Record<string, string>;
  body: Buffer;
  bodyTruncated: boolean;
  error: DetectedError | null;
  durationMs: number;
}

interface ParsedUrl {
  host: string;
  port: number;
  path: string;
}

const URL_PATTERN = /^http:\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?([^#]*)/i;

/** Splits an http:// URL without normalising its path. Returns null for anything else. */
export function parseHttpUrl(url: string): ParsedUrl | null {
  const match = URL_PATTERN.exec(url);
  if (!match) return null;
  const path = match[3] === '' ? '/' : match[3].startsWith('/') ? match[3] : `/${match[3]}`;
  return { host: match[1].replace(/^\[|\]$/g, ''), port: match[2] ? Number(match[2]) : 80, path };
}

export async function sendHttpRequest(options: HttpRequestOptions): Promise<HttpExchange> {
  const started = performance.now();
  const target = parseHttpUrl(options.url);
  const via = options.proxy ? parseHttpUrl(options.proxy) : null;
  const failed = (error: DetectedError): HttpExchange => ({
    ok: false,
    headers: {},
    body: Buffer.alloc(0),
    bodyTruncated: false,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  if (!target || (options.proxy && !via)) return failed({ code: 'EINVAL', message: `not an http:// URL: ${options.proxy && !via ? options.proxy : options.url}` });
  const connectTo = via ?? target;
  const limit = options.maxBodyBytes ?? 4 * 1024 * 1024;
  let socket: net.Socket | undefined;
  if (options.connect) {
    try {
      socket = await options.connect(connectTo.host, connectTo.port, options.timeoutMs);
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      return failed({ code: code ?? 'ECONNREFUSED', message });
    }
  }

  return new Promise((resolve) => {
    let settled = false;
    const settle = (exchange: HttpExchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      options.decided?.removeEventListener('abort', onDecided);
      resolve(exchange);
    };
    const request = http.request({
      host: connectTo.host,
      port: connectTo.port,
      method: options.method ?? 'GET',
      path: via ? options.url : target.path,
      headers: { Host: `${target.host}:${target.port}`, ...options.headers },
      insecureHTTPParser: true,
      // With an agent (even `agent: false`, which makes a fresh one) node ignores createConnection and
      // connects by itself: no agent, and the connection made on the right host is the one used.
      // The socket comes paused (nothing it received is lost before a reader is there): http reads it from now.
      ...(socket ? { createConnection: () => socket.resume() } : { agent: false }),
    });
    const timer = setTimeout(() => {
      request.destroy();
      settle(failed({ code: 'ETIMEDOUT', message: `no complete response within ${options.timeoutMs}ms` }));
    }, options.timeoutMs);
    const onAbort = () => {
      request.destroy();
      settle(failed({ code: 'EINTR', message: 'stopped: the experiment ended' }));
    };
    const onDecided = () => {
      request.destroy();
      settle(failed({ code: 'ETIMEDOUT', message: String(options.decided?.reason) }));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    options.decided?.addEventListener('abort', onDecided, { once: true });
    if (options.onSent) request.on('finish', options.onSent);
    request.on('error', (error: NodeJS.ErrnoException) => settle(failed({ code: error.code ?? 'EPROTO', message: error.message })));
    request.on('response', (response) => {
      options.onProgress?.();
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      response.on('data', (chunk: Buffer) => {
        options.onProgress?.();
        const room = limit - kept;
        if (chunk.length > room) truncated = true;
        if (room <= 0) return;
        chunks.push(chunk.subarray(0, room));
        kept += Math.min(room, chunk.length);
      });
      const done = (error: DetectedError | null) =>
        settle({
          ok: error === null,
          status: response.statusCode,
          statusText: response.statusMessage,
          httpVersion: response.httpVersion,
          headers: flattenHeaders(response.headers),
          body: Buffer.concat(chunks),
          bodyTruncated: truncated,
          error,
          durationMs: Math.round(performance.now() - started),
        });
      response.on('end', () => done(null));
      response.on('error', (error: NodeJS.ErrnoException) => done({ code: error.code ?? 'ECONNRESET', message: error.message }));
      response.on('aborted', () => done({ code: 'ECONNRESET', message: 'the response was cut off before its end' }));
    });
    request.end(options.body);
  });
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
