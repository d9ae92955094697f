// Real traffic on loopback for the capture tests: ports come from listen(0)/bind(0), never fixed ones,
// so these tests can run beside anything else.
import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import { startCapture, type CaptureStopResult } from '../../harness/capture/tcpdump-session.js';
import { TempDir } from '../support/temp-dir.js';

export interface Captured {
  file: string;
  stopped: CaptureStopResult;
}

/** Captures the given ports while `traffic` runs, and stops at once afterwards (no grace wait). */
export async function captureDuring(dir: TempDir, name: string, ports: number[], traffic: () => Promise<void>, networkInterface = 'lo'): Promise<Captured> {
  const file = path.join(dir.path, `${name}.pcap`);
  const session = await startCapture({ ports, file, interface: networkInterface });
  if (session.status !== 'capturing') throw new Error(`capture did not start: ${session.reason}`);
  // Stop tcpdump even when the traffic fails, then report the failure.
  const outcome = await traffic().then(
    () => null,
    (error: unknown) => ({ error }),
  );
  const stopped = await session.stop();
  if (outcome) throw outcome.error;
  // Every capture test also checks that tcpdump kept up: nothing dropped, everything written out.
  if (!stopped.ok || stopped.packetsDropped !== 0 || !stopped.flushConfirmed) throw new Error(`capture incomplete: ${JSON.stringify(stopped)}`);
  return { file, stopped };
}

/** A TCP port on `host` with nothing listening (bound once to get a free number, then released). */
export async function closedTcpPort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function closedUdpPort(host = '127.0.0.1'): Promise<number> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** Servers still open, each with what closes it at once; closeLeftoverServers() empties it. */
const openServers = new Map<object, () => Promise<void>>();

/** Closes the servers a test left open, which it does when it fails (or its capture does not start) before closing them. */
export async function closeLeftoverServers(): Promise<void> {
  const closers = [...openServers.values()];
  openServers.clear();
  await Promise.all(closers.map((close) => close()));
}

/** Runs `close` once however often it is called, and forgets `server` as open. */
function closeOnce(server: object, close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    openServers.delete(server);
    closing ??= close();
    return closing;
  };
}

/** A TCP server on a free port; `handle` gets each connection. */
export async function tcpServer(handle: (socket: net.Socket) => void, host = '127.0.0.1'): Promise<{ port: number; close: () => Promise<void> }> {
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  // The test closes the server once its connections have ended; a leftover one may still have some.
  const close = closeOnce(server, () => new Promise((resolve) => server.close(() => resolve())));
  openServers.set(server, () => {
    for (const socket of connections) socket.destroy();
    return close();
  });
  return { port: (server.address() as net.AddressInfo).port, close };
}

/** Connects, runs `talk` on the socket, and resolves once the socket is fully closed (or refused). */
export function tcpClient(port: number, host: string, talk: (socket: net.Socket) => void): Promise<{ localPort: number; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    let localPort = 0;
    let error: NodeJS.ErrnoException | undefined;
    socket.once('connect', () => {
      localPort = socket.localPort ?? 0;
      talk(socket);
      // Read whatever arrives, so that the peer's FIN is seen and the socket can close.
      socket.resume();
    });
    socket.once('error', (failure: NodeJS.ErrnoException) => (error = failure));
    socket.once('close', () => resolve({ localPort, error }));
  });
}

/** Sends one datagram from a fresh unconnected socket; resolves with its port and any reply within `waitMs`. */
export async function udpSend(port: number, host: string, text: string, waitMs = 150): Promise<{ localPort: number; reply?: string }> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const localPort = socket.address().port;
  let reply: string | undefined;
  socket.on('message', (message) => (reply = message.toString()));
  // An unconnected socket never learns of the ICMP error; ignore errors all the same.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => socket.send(text, port, host, (error) => (error ? reject(error) : resolve())));
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  await new Promise<void>((resolve) => socket.close(resolve));
  return { localPort, reply };
}

/** A UDP server that answers every datagram with `answer(text)`, or reads it and says nothing when that is undefined. */
export async function udpServer(answer: (text: string) => string | undefined, host = '127.0.0.1'): Promise<{ port: number; close: () => Promise<void> }> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (message, remote) => {
    const reply = answer(message.toString());
    if (reply !== undefined) socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const close = closeOnce(socket, () => new Promise((resolve) => socket.close(resolve)));
  openServers.set(socket, close);
  return { port: socket.address().port, close };
}
