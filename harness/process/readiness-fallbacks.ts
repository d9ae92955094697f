// Readiness where there is no /proc (platform-support.ts chooses): the sockets of a program's process
// group as lsof lists them, or, without lsof, a TCP connection to the port.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';

export interface SeenSocket {
  port: number;
  /** Bound to 127.0.0.0/8 or ::1 only. */
  loopback: boolean;
}

/**
 * The listening TCP sockets (or UDP sockets: `connected` says whether those connected to a peer count)
 * of the processes in process group `group`, from `lsof -F n`; [] when lsof fails or finds none
 * (it exits 1 then).
 */
export function lsofSockets(lsof: string, group: number, protocol: 'tcp' | 'udp', options: { onlyPort?: number; connected?: boolean } = {}): Promise<SeenSocket[]> {
  const select = protocol === 'tcp' ? ['-iTCP' + (options.onlyPort === undefined ? '' : `:${options.onlyPort}`), '-sTCP:LISTEN'] : ['-iUDP' + (options.onlyPort === undefined ? '' : `:${options.onlyPort}`)];
  // -a: all selections at once (the group AND the sockets), -n -P: numbers, -w: no warnings.
  const args = ['-n', '-P', '-w', '-a', '-g', String(group), ...select, '-F', 'n'];
  return new Promise((resolve) => {
    execFile(lsof, args, { encoding: 'utf8', timeout: 2000 }, (_error, stdout) => resolve(parseLsof(stdout ?? '', options.connected ?? false)));
  });
}

/** `n*:8080`, `n127.0.0.1:8080`, `n[::1]:8080`, `n127.0.0.1:5000->127.0.0.1:6000` (a connected socket). Exported for tests. */
export function parseLsof(output: string, connected: boolean): SeenSocket[] {
  const sockets: SeenSocket[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('n')) continue;
    const [local, peer] = line.slice(1).split('->');
    if (peer !== undefined && !connected) continue;
    const colon = local.lastIndexOf(':');
    const port = Number(local.slice(colon + 1));
    if (colon < 0 || !Number.isInteger(port) || port <= 0) continue;
    const address = local.slice(0, colon).replace(/^\[|\]$/g, '');
    sockets.push({ port, loopback: /^(127\.|::1$|::ffff:127\.|localhost$)/i.test(address) });
  }
  return sockets;
}

/**
 * Whether something accepts TCP connections on `port` of the loopback addresses (IPv4, then IPv6 for a
 * server bound to ::1 only). The connection is closed at once, without a byte.
 */
export async function acceptsConnections(port: number, timeoutMs = 500): Promise<boolean> {
  for (const host of ['127.0.0.1', '::1']) if (await connects(host, port, timeoutMs)) return true;
  return false;
}

function connects(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
