import { createServer, type Socket } from 'node:net';
import { formatAddress } from './lib/common/address.js';
import { parseCommandLineOrExit, parseServerCommandLine } from './lib/common/cli-args.js';
import { describeError } from './lib/common/describe-error.js';
import { listenOrFail } from './lib/common/listen.js';
import { createProgramOutput } from './lib/common/program-output.js';
import { exitCleanlyOnSignals } from './lib/common/shutdown.js';
import { uppercaseAscii } from './lib/common/uppercase.js';

// Reference TCP server for the lab: uppercases ASCII letters of whatever each client sends and
// streams them straight back. Replying as data arrives (not after the client closes) serves both the
// lab's Python client, which sends and then waits in recv(1024) without closing, and our tcp-client,
// which half-closes and reads until we close.

const USAGE = `usage: tcp-server PORT [--host HOST]
       tcp-server --port PORT [--host HOST]
  Listens on HOST:PORT (HOST defaults to 127.0.0.1; PORT 0 picks a free port) and sends every
  client its bytes back with a–z turned into A–Z. Prints "tcp-server listening on HOST:PORT" once
  ready and one line per finished connection. Stops with exit status 0 on SIGTERM or SIGINT.`;

const IDLE_TIMEOUT_MS = 30_000;

const output = createProgramOutput('tcp-server');
const { host, port } = parseCommandLineOrExit(output, USAGE, () => parseServerCommandLine(process.argv.slice(2)));
const openSockets = new Set<Socket>();

// allowHalfOpen: when a client half-closes we still have replies to flush, so we end our side
// ourselves after the last write instead of Node ending it for us.
const server = createServer({ allowHalfOpen: true }, serveConnection);

function serveConnection(socket: Socket): void {
  // Captured now: after a reset Node no longer knows the remote address.
  const peer = formatAddress(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
  let bytesReceived = 0;
  openSockets.add(socket);
  socket.setTimeout(IDLE_TIMEOUT_MS);

  socket.on('data', (chunk: Buffer) => {
    bytesReceived += chunk.length;
    // Back-pressure: a client that sends a lot but reads slowly must not make us buffer without bound.
    if (!socket.write(uppercaseAscii(chunk))) socket.pause();
  });
  socket.on('drain', () => socket.resume());
  socket.on('end', () => socket.end());
  socket.on('timeout', () => {
    output.warn(`${peer}: idle for ${IDLE_TIMEOUT_MS / 1000}s, closing the connection`);
    socket.destroy();
  });
  // A client misbehaving (reset, vanished) is that connection's problem, never the server's.
  socket.on('error', (error) => output.warn(`${peer}: ${describeError(error)}`));
  socket.on('close', () => {
    openSockets.delete(socket);
    output.say(`tcp-server: ${peer} sent ${bytesReceived} bytes`);
  });
}

listenOrFail(server, host, port, output, (boundPort) => output.say(`tcp-server listening on ${formatAddress(host, boundPort)}`));

exitCleanlyOnSignals(
  (signal) => output.say(`tcp-server: ${signal} received, closing`),
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of openSockets) socket.destroy();
    }),
);
