import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { formatAddress } from './lib/common/address.js';
import { parseCommandLineOrExit } from './lib/common/cli-args.js';
import { describeError } from './lib/common/describe-error.js';
import { listenOrFail } from './lib/common/listen.js';
import { EXIT_USAGE, createProgramOutput } from './lib/common/program-output.js';
import { exitCleanlyOnSignals } from './lib/common/shutdown.js';
import { DEFAULT_MAX_HEAD_BYTES } from './lib/http/request-head.js';
import { parseWebServerCommandLine } from './lib/web/command-line.js';
import { serveConnection } from './lib/web/connection.js';
import { resolveDocumentRoot } from './lib/web/document-root.js';
import { DocumentStore } from './lib/web/documents.js';

// Reference web server for the lab's Task 2, on plain TCP sockets (node:net, not node:http) because
// the lab is about what travels over the socket: it reads the request head itself, finds the file,
// and writes the status line, the header fields, a blank line and the bytes.
//
// Unlike the lab's skeleton, it serves many clients at once (each connection is event-driven), so
// one stalled client cannot block the rest, and it keeps HTTP/1.1 connections open for further
// requests, as browsers expect; --once gives the lab's one-request behaviour.

const USAGE = `usage: web-server PORT [--host HOST] [--root DIR] [--once] [--header-timeout DURATION]
                  [--idle-timeout DURATION] [--max-requests N]
  Serves the files under DIR over HTTP/1.1 and HTTP/1.0 (GET and HEAD) on HOST:PORT.
  --host HOST                 address to listen on (default 127.0.0.1); PORT 0 picks a free port
  --root DIR                  document root (default: the bundled services/www); "/" serves
                              index.html, else HelloWorld.html
  --once                      answer one request, then exit 0 (the lab's one-request server)
  --header-timeout DURATION   answer 408 and close when a request head is not complete within
                              DURATION of its first byte (of connecting, for the first request),
                              e.g. 5s or 500ms (default 5s)
  --idle-timeout DURATION     close a kept-alive connection that sends no new request within
                              DURATION (default 5s)
  --max-requests N            answer at most N requests on one connection, the last with
                              "Connection: close" (default 1000)
  Connections persist for HTTP/1.1 unless the client sends "Connection: close", and for HTTP/1.0
  only with "Connection: keep-alive"; pipelined requests are answered in order. A refused request
  head (400, 408, 431, 505) and a request with a body end the connection after the response.
  Prints "web-server listening on HOST:PORT (root DIR)" once ready and one line per request:
  web-server: CLIENT "REQUEST LINE" STATUS BODY-BYTES
  Exit status: 0 stopped by SIGTERM/SIGINT or after --once, 1 cannot listen, 2 bad usage.`;

// dist/services/web-server.js → services/www: the pages live in the source tree, not in dist/.
const BUNDLED_ROOT = fileURLToPath(new URL('../../services/www/', import.meta.url));

const output = createProgramOutput('web-server');
const options = parseCommandLineOrExit(output, USAGE, () => parseWebServerCommandLine(process.argv.slice(2)));
const rootArgument = options.root ?? BUNDLED_ROOT;
const realRoot = await resolveDocumentRoot(rootArgument).catch((error: unknown) =>
  output.fail(`--root: expected a readable folder, got "${rootArgument}": ${describeError(error)}\n${USAGE}`, EXIT_USAGE),
);

const documents = new DocumentStore(realRoot);
const openSockets = new Set<Socket>();
let requestTaken = false;

// allowHalfOpen: a client may send its request and then half-close (printf … | nc); the response
// must still go out, so we end our side ourselves after the last byte.
const server = createServer({ allowHalfOpen: true }, (socket) => {
  openSockets.add(socket);
  serveConnection(socket, {
    documents,
    headerTimeoutMs: options.headerTimeoutMs,
    limits: { idleTimeoutMs: options.idleTimeoutMs, maxRequests: options.maxRequests },
    maxHeadBytes: DEFAULT_MAX_HEAD_BYTES,
    log: (line) => output.log(line),
    warn: (line) => output.warn(line),
    claim: () => {
      if (!options.once) return 'answer';
      if (requestTaken) return 'refuse';
      requestTaken = true;
      server.close(); // no new connections: the one request is being answered
      return 'answer-last';
    },
    onClosed: (answered) => {
      openSockets.delete(socket);
      if (options.once && answered) process.exit(0);
    },
  });
});

listenOrFail(server, options.host, options.port, output, (boundPort) => {
  output.say(`web-server listening on ${formatAddress(options.host, boundPort)} (root ${realRoot})`);
});

exitCleanlyOnSignals(
  (signal) => output.say(`web-server: ${signal} received, closing`),
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of openSockets) socket.destroy();
    }),
);
