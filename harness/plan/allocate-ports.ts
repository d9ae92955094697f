// Free ports per experiment, so experiments (and concurrent socklab runs) never share a fixed port.
// A port is taken from the kernel (bind to 0) with both TCP and UDP free on the host, and never handed
// out twice by this process.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const handedOut = new Set<number>();

export async function allocatePorts(names: Iterable<string>, host = '127.0.0.1'): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const name of names) ports[name] = await allocatePort(host);
  return ports;
}

export async function allocatePort(host = '127.0.0.1', attempts = 20): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const port = await freeTcpPort(host);
    if (handedOut.has(port)) continue;
    if (!(await udpPortIsFree(host, port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`could not find a free port on ${host} after ${attempts} attempts`);
}

/** Lets a port be handed out again (after its experiment ended). */
export function releasePorts(ports: Iterable<number>): void {
  for (const port of ports) handedOut.delete(port);
}

function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function udpPortIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.unref();
    socket.once('error', () => resolve(false));
    socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}
