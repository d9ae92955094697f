// Readiness for programs on another machine. Over SSH, the program's own sockets are read there with
// `ss` (remote-scripts.ts's sockets.sh: those held by a process of its session), which, like /proc
// here, never connects. Where `ss` is missing there, or for a program started by hand that socklab
// only reaches, a TCP server is probed with one connection from this side (the server sees a client
// that connects and sends nothing), and a UDP server's readiness cannot be checked at all without
// sending it a datagram it would answer: that is said, and the experiment goes on at once.
import { connect } from 'node:net';
import type { ListeningSocket, ReadinessCheck, SocketView } from '../process/launched-program.js';
import type { RemoteFolder } from './remote-folder.js';
import type { SshConnection } from './ssh-connection.js';

/** Between two looks over SSH: each costs a round trip. */
const SSH_POLL_MS = 50;
/** Between two connection attempts: each is a SYN the server sees. */
const PROBE_POLL_MS = 100;
const PROBE_TIMEOUT_MS = 1000;

/** The sockets of program `number` of `folder`, read with ss there. */
export function sshSockets(connection: SshConnection, folder: RemoteFolder, number: number): SocketView {
  const read = async (): Promise<Array<{ protocol: string; state: string; port: number; loopback: boolean }>> => {
    const result = await connection.exec(folder.scriptLine('sockets.sh', [number]), { timeoutMs: 15_000 });
    return result.stdout
      .toString('utf8')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length === 3)
      .map(([protocol, state, local]) => ({ protocol, state, port: Number(local.slice(local.lastIndexOf(':') + 1)), loopback: isLoopback(local.slice(0, local.lastIndexOf(':'))) }));
  };
  return {
    method: `ss on ${connection.facts.hostName} over SSH`,
    pollMs: SSH_POLL_MS,
    async listening(protocol, onlyPort) {
      const state = protocol === 'tcp' ? 'LISTEN' : 'UNCONN';
      const sockets = (await read()).filter((socket) => socket.protocol === protocol && socket.state === state && (onlyPort === undefined || socket.port === onlyPort));
      return sockets.map(({ port, loopback }) => ({ port, loopback })).sort((a, b) => a.port - b.port);
    },
    ownsBoundUdpSocket: async () => (await read()).some((socket) => socket.protocol === 'udp'),
  };
}

/**
 * Readiness from this side only: a TCP connection to `host` (on the port readiness asks for). `unseen`
 * says why the program's own output cannot be read either (a program started by hand), when it cannot.
 */
export function probedSockets(host: string, why: string, unseen?: string): SocketView {
  const reasons: Record<ReadinessCheck, string | null> = {
    tcp: null,
    udp: `a UDP server's readiness cannot be checked from this side without sending it a datagram it would answer (${why}): going on at once`,
    ownUdpSocket: `whether the program has sent its first datagram cannot be checked from this side (${why})`,
    stdout: unseen ? `its output cannot be read (${unseen}): a stdout readiness line cannot be checked` : null,
  };
  return {
    method: `a TCP connection from this side to ${host} (${why}; the server sees one client that sends nothing)`,
    pollMs: PROBE_POLL_MS,
    cannotCheck: (check) => reasons[check],
    describeListener: (port) => `TCP server accepting connections at ${host}:${port}`,
    async listening(protocol, onlyPort) {
      if (protocol !== 'tcp' || onlyPort === undefined) return [];
      return (await accepts(host, onlyPort)) ? [{ port: onlyPort, loopback: false } satisfies ListeningSocket] : [];
    },
    ownsBoundUdpSocket: async () => false,
  };
}

/** Whether `host:port` accepts a TCP connection (closed again at once). */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** 127.0.0.0/8, ::1 and ::ffff:127.x, as ss writes them (`127.0.0.1`, `[::1]`, `[::ffff:127.0.0.1]`). */
function isLoopback(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  return /^127\./.test(bare) || bare === '::1' || /^::ffff:127\./i.test(bare);
}
