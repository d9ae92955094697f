// Ports on 127.0.0.1 only: a free one to hand to a server, and waiting until something listens there.
import net from 'node:net';
import { sleep } from './processes.mjs';

export const HOST = '127.0.0.1';

/** A port the kernel just handed out and released; free unless someone takes it in the meantime. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: HOST, port: 0 }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function freePorts(count) {
  const ports = new Set();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Connects every 10ms until a connection succeeds (for peers that print no ready line). */
export async function waitForPort(port, timeoutMs = 10_000) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await canConnect(port)) return;
    await sleep(10);
  }
  throw new Error(`nothing listens on ${HOST}:${port} after ${timeoutMs}ms`);
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
