import { createServer, type Socket } from 'node:net';
import { formatAddress } from './lib/common/address.js';
import { parseCommandLineOrExit } from './lib/common/cli-args.js';
import { describeError } from './lib/common/describe-error.js';
import { listenOrFail } from './lib/common/listen.js';
import { createProgramOutput } from './lib/common/program-output.js';
import { exitCleanlyOnSignals } from './lib/common/shutdown.js';
import { DiskCache } from './lib/proxy/cache.js';
import { defaultCacheDir, parseProxyCommandLine } from './lib/proxy/command-line.js';
import { serveClient, type ProxyContext } from './lib/proxy/exchange.js';

// Reference web proxy for the lab's Task 3: a caching HTTP/1.1 proxy on raw TCP sockets.
//
// "Multi-threaded" without threads: the lab's Python skeleton starts a thread per client so that one
// client waiting on a slow origin does not hold up the others. Here every connection is its own
// chain of callbacks on Node's event loop. A proxy spends its time waiting (for the client's
// request, the origin's connect, its response, the client's reads), and while one exchange waits the
// loop runs every other exchange whose data has arrived; the kernel does the waiting for all sockets
// at once (epoll). The per-request work (parsing a head, copying a buffer) takes microseconds, so no
// client ever waits on another one: the same concurrency a thread per client gives, without threads'
// locks around the shared cache (the cache's consistency comes from atomic file renames instead).
// The one thing that could stall everyone, synchronous CPU-heavy or blocking work, is never done
// while serving: file reads and writes are asynchronous too.
//
// HTTPS is out of scope: CONNECT is answered 501 (a tunnel carries TLS the proxy can neither read nor
// cache). One request per client connection; every response says Connection: close.

const USAGE = `usage: proxy PORT [--host HOST] [--cache-dir DIR] [--no-cache] [--origin-timeout DURATION]
  A caching web proxy for http:// URLs. Listens on HOST:PORT (HOST defaults to 127.0.0.1; PORT 0
  picks a free port). Clients send either the absolute form a configured proxy gets
  ("GET http://www.example.com/index.html HTTP/1.1", what curl -x sends) or the lab's path form
  ("GET /www.example.com/index.html HTTP/1.1", i.e. http://localhost:PORT/www.example.com/index.html).
  200 responses to GET are stored in DIR (default: socklab-proxy-cache-PORT in the system's temp
  folder) and answered from there afterwards without asking the origin, also after a restart.
  --cache-dir DIR            where cached responses are kept (created if needed)
  --no-cache                 store nothing, fetch every request from the origin
  --origin-timeout DURATION  how long the origin has to start its response (default 10s), e.g. 500ms
  Prints "proxy listening on HOST:PORT (cache DIR)" once ready, then one line per request:
    proxy: CLIENT METHOD URL HIT|MISS|NOCACHE|ERROR STATUS BYTES
  HIT came from the cache; MISS was fetched and stored; NOCACHE was fetched and not stored; ERROR is
  the proxy's own error response (400 bad request, 408/431 slow or huge request head, 501 CONNECT or
  not http://, 502 origin unreachable, 504 origin too slow, 508 request loop) or a cut-off response.
  Exit status: 0 after SIGTERM or SIGINT, 1 cannot listen or use the cache folder, 2 bad usage.`;

const output = createProgramOutput('proxy');
const options = parseCommandLineOrExit(output, USAGE, () => parseProxyCommandLine(process.argv.slice(2)));
const openSockets = new Set<Socket>();
let context: ProxyContext | null = null;

// allowHalfOpen: a client may send its request and shut down its sending side (nc -N, scripts);
// it still expects the response, so the proxy decides when to close.
const server = createServer({ allowHalfOpen: true }, (client) => {
  if (!context) return client.destroy(); // cannot happen: connections are handled after 'listening'
  serveClient(client, context).catch((error: unknown) => {
    // A bug in one exchange must not take down the proxy and every other client with it.
    output.warn(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    client.destroy();
  });
});

listenOrFail(server, options.host, options.port, output, (port) => {
  let cache: DiskCache | null = null;
  if (options.cache) {
    const dir = options.cacheDir ?? defaultCacheDir(port);
    try {
      cache = new DiskCache(dir, (line) => output.warn(line));
    } catch (error) {
      output.fail(`cannot use the cache folder ${dir}: ${describeError(error)}`);
    }
  }
  context = {
    cache,
    originTimeoutMs: options.originTimeoutMs,
    pseudonym: `socklab-proxy-${port}`,
    output,
    track(socket) {
      openSockets.add(socket);
      socket.once('close', () => openSockets.delete(socket));
    },
  };
  output.say(`proxy listening on ${formatAddress(options.host, port)} (cache ${cache ? cache.dir : 'off'})`);
});

exitCleanlyOnSignals(
  (signal) => output.say(`proxy: ${signal} received, closing`),
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of openSockets) socket.destroy();
      context?.cache?.discardUnfinished();
    }),
);
