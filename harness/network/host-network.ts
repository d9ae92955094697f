// Sockets on one host of an experiment. Fixtures (an origin server, an SMTP sink, a relay) and probes
// (an HTTP request, raw bytes) run inside socklab, but in a world they must listen and connect on a
// host of that world: `agentNetwork` makes their sockets inside the host's network namespace through
// its agent (namespace-agent.ts). On loopback, `localNetwork` makes them here, as plain sockets.
import dgram from 'node:dgram';
import net from 'node:net';

export interface HostNetwork {
  /** For reports: `loopback`, or the host's name and address in the world. */
  readonly description: string;
  /** The host's network namespace, for a program socklab itself starts there (a browser); none on loopback. */
  readonly namespace?: string;
  /**
   * Makes `server` (an http.Server, an SMTP server's net.Server, …) listen on this host (port 0: any
   * free port) and resolves with the port. Rejects with the errno code (EADDRINUSE, EACCES).
   */
  serve(server: net.Server, address: string, port: number): Promise<number>;
  /** A connected TCP socket, paused. Rejects with the errno code (ECONNREFUSED, ETIMEDOUT, …). */
  connectTcp(address: string, port: number, timeoutMs: number): Promise<net.Socket>;
  /** A bound UDP socket. */
  bindUdp(address: string, port: number): Promise<dgram.Socket>;
}

export const localNetwork: HostNetwork = {
  description: 'loopback',
  serve(server, address, port) {
    return listenOn(server, { host: address, port, exclusive: true });
  },
  connectTcp(address, port, timeoutMs) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`connect ETIMEDOUT ${address}:${port}`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.pause();
        resolve(socket);
      });
    });
  },
  bindUdp(address, port) {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
      socket.once('error', reject);
      socket.bind({ address, port, exclusive: true }, () => {
        socket.off('error', reject);
        resolve(socket);
      });
    });
  },
};

/** `server.listen(target)`, as a promise of the port it listens on. */
export function listenOn(server: net.Server, target: net.ListenOptions | net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    };
    if (target instanceof net.Server) server.listen(target, listening);
    else server.listen(target, listening);
  });
}
