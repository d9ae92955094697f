// One HTTP GET on a fresh connection over node:net: the request goes out as raw bytes, the response
// is read until the server closes (our servers answer one request per connection). Outcomes are
// data: { ok, status, bytes, ms, error }.
import net from 'node:net';
import { HOST } from './ports.mjs';

const REQUEST_TIMEOUT_MS = 5_000;

/** `target` is the request target: "/HelloWorld.html", or an absolute URL when talking to a proxy. */
export function httpGet(port, target, hostHeader = `${HOST}:${port}`) {
  return new Promise((resolve) => {
    const started = performance.now();
    const chunks = [];
    let settled = false;
    const finish = (error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const response = Buffer.concat(chunks);
      const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(response.subarray(0, 64).toString('latin1'))?.[1] ?? 0);
      const ok = !error && status === 200;
      resolve({ ok, status, bytes: response.length, ms: performance.now() - started, error: error ? error.code ?? error.message : ok ? null : `status ${status}` });
    };
    const socket = net.connect({ host: HOST, port }, () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: socklab-bench\r\nConnection: close\r\n\r\n`);
    });
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => finish(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => finish(null));
    socket.on('error', (error) => finish(error));
  });
}
