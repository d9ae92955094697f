import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureProgram } from '../support/paths.js';
import { needsTool } from '../support/tools.js';
import { untilReady, waitForExit, type RunningServer } from './support/service-process.js';

// The reference proxy as a real child process, with real origin servers inside the test. Every
// origin counts the requests it gets per path, so "served from the cache" is checked by the origin
// not being asked again, not by trusting the proxy's own log.

const PROXY = fileURLToPath(new URL('../../services/proxy.js', import.meta.url));
const SINGLE_THREADED_PROXY = fixtureProgram('single-threaded-proxy.mjs');
const READY_LINE = /^proxy listening on (\S+):(\d+) \((?:cache )?(.*)\)$/m;
const BINARY_OBJECT = randomBytes(300 * 1024);
const SLOW_ORIGIN_DELAY_MS = 600;

interface OriginRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface TestOrigin {
  port: number;
  url(pathAndQuery: string): string;
  count(pathAndQuery: string): number;
  requests: OriginRequest[];
}

interface RunningProxy extends RunningServer {
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
}

interface HttpReply {
  raw: Buffer;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The origin's routes; each knows how to misbehave in one particular way. */
function originRoutes(request: http.IncomingMessage, response: http.ServerResponse, body: string): void {
  const route = request.url ?? '/';
  if (route === '/binary') {
    response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': BINARY_OBJECT.length });
    response.end(BINARY_OBJECT);
  } else if (route === '/chunked') {
    response.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    response.write('first piece, ');
    setTimeout(() => response.write('second piece, '), 50);
    setTimeout(() => response.end('last piece'), 100);
  } else if (route === '/missing') {
    response.writeHead(404, { 'Content-Type': 'text/plain' });
    response.end('no such object');
  } else if (route === '/no-store' || route === '/private') {
    response.writeHead(200, { 'Cache-Control': route.slice(1), 'Content-Type': 'text/plain' });
    response.end(`fresh copy ${Date.now()}`);
  } else if (route.startsWith('/slow/')) {
    setTimeout(() => response.end(`slow object ${route}`), SLOW_ORIGIN_DELAY_MS);
  } else if (route === '/never') {
    // Never answers: the proxy's origin timeout has to notice.
  } else if (route === '/echo') {
    response.end(`${request.method} body: ${body}`);
  } else {
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end(`object at ${route}`);
  }
}

describe('proxy (reference web proxy, Task 3)', function () {
  this.timeout(30_000);
  const children = new Set<ChildProcess>();
  const servers: Server[] = [];
  const tempDirs: string[] = [];

  afterEach(async () => {
    await Promise.all(
      [...children].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    children.clear();
    for (const server of servers.splice(0)) {
      if (server instanceof http.Server) server.closeAllConnections();
      server.close();
    }
    for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function tempDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'socklab-proxy-test-'));
    tempDirs.push(dir);
    return dir;
  }

  async function startOrigin(): Promise<TestOrigin> {
    const requests: OriginRequest[] = [];
    const server = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('latin1');
      request.on('data', (text: string) => (body += text));
      request.on('end', () => {
        requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
        originRoutes(request, response, body);
      });
    });
    servers.push(server);
    const port = await listen(server);
    return {
      port,
      url: (pathAndQuery) => `http://127.0.0.1:${port}${pathAndQuery}`,
      count: (pathAndQuery) => requests.filter((request) => request.url === pathAndQuery).length,
      requests,
    };
  }

  /** A raw TCP origin that answers every connection with `respond`; counts connections. */
  async function startRawOrigin(respond: (socket: Socket) => void): Promise<{ port: number; connections: () => number }> {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.on('error', () => {});
      socket.once('data', () => respond(socket));
    });
    servers.push(server);
    return { port: await listen(server), connections: () => connections };
  }

  async function startProxy(args: string[], program = PROXY): Promise<RunningProxy> {
    const child = spawn(process.execPath, [program, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const exited = waitForExit(child);
    return { ...(await untilReady(child, 'proxy', READY_LINE)), exited };
  }

  /** Starts the reference proxy on a free port with a fresh cache folder. */
  async function startCachingProxy(extra: string[] = []): Promise<RunningProxy & { cacheDir: string }> {
    const cacheDir = tempDir();
    const proxy = await startProxy(['0', '--cache-dir', cacheDir, ...extra]);
    return { ...proxy, cacheDir };
  }

  it('fetches an object in proxy (absolute) form and forwards an origin-form request without hop-by-hop headers', async () => {
    const origin = await startOrigin();
    const proxy = await startCachingProxy();
    const reply = await send(
      proxy.port,
      `GET ${origin.url('/a')} HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nUser-Agent: socklab-test\r\n` +
        'Proxy-Connection: keep-alive\r\nKeep-Alive: 5\r\nConnection: keep-alive, X-Drop-Me\r\nX-Drop-Me: 1\r\nX-Keep-Me: 2\r\n\r\n',
    );
    expect(reply.status).to.equal(200);
    expect(reply.body.toString()).to.equal('object at /a');
    expect(reply.headers.connection).to.equal('close');
    expect(origin.requests).to.have.length(1);
    const forwarded = origin.requests[0]!;
    expect(forwarded.url).to.equal('/a');
    expect(forwarded.headers.host).to.equal(`127.0.0.1:${origin.port}`);
    expect(forwarded.headers.connection).to.equal('close');
    expect(forwarded.headers['x-keep-me']).to.equal('2');
    expect(forwarded.headers['user-agent']).to.equal('socklab-test');
    for (const dropped of ['proxy-connection', 'keep-alive', 'x-drop-me']) expect(forwarded.headers).to.not.have.property(dropped);
  });

  it("fetches an object in the lab's path form (/host:port/path), sharing the cache with the absolute form", async () => {
    const origin = await startOrigin();
    const proxy = await startCachingProxy();
    const first = await send(proxy.port, `GET /127.0.0.1:${origin.port}/page.html?q=1 HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\n\r\n`);
    expect(first.status).to.equal(200);
    expect(first.body.toString()).to.equal('object at /page.html?q=1');
    expect(origin.requests[0]!.headers.host).to.equal(`127.0.0.1:${origin.port}`);
    const second = await get(proxy.port, origin.url('/page.html?q=1'));
    expect(second.body.toString()).to.equal('object at /page.html?q=1');
    expect(origin.count('/page.html?q=1')).to.equal(1);
  });

  it('answers a second GET from the cache without contacting the origin, and logs MISS then HIT', async () => {
    const origin = await startOrigin();
    const proxy = await startCachingProxy();
    const url = origin.url('/a');
    const first = await get(proxy.port, url);
    const second = await get(proxy.port, url);
    expect(origin.count('/a')).to.equal(1);
    expect(second.status).to.equal(200);
    expect(second.body).to.deep.equal(first.body);
    expect(first.headers['x-cache']).to.equal('MISS');
    expect(second.headers['x-cache']).to.equal('HIT');
    await proxy.waitForStdout(logLine(url, 'MISS', 200, first.raw.length));
    await proxy.waitForStdout(logLine(url, 'HIT', 200, second.raw.length));
    // One file named by the URL's SHA-256, no temporary files left.
    expect(readdirSync(proxy.cacheDir)).to.deep.equal([`${createHash('sha256').update(url).digest('hex')}.response`]);
  });

  it('relays a 300 KiB binary object byte for byte, from the origin and from the cache', async () => {
    const origin = await startOrigin();
    const proxy = await startCachingProxy();
    const first = await get(proxy.port, origin.url('/binary'));
    const second = await get(proxy.port, origin.url('/binary'));
    expect(first.body.equals(BINARY_OBJECT), 'first fetch is byte-exact').to.equal(true);
    expect(second.body.equals(BINARY_OBJECT), 'cached copy is byte-exact').to.equal(true);
    expect(first.headers['content-length']).to.equal(String(BINARY_OBJECT.length));
    expect(origin.count('/binary')).to.equal(1);
  });

  it('relays a chunked response as a correct close-delimited one, also from the cache', async () => {
    const origin = await startOrigin();
    const proxy = await startCachingProxy();
    const first = await get(proxy.port, origin.url('/chunked'));
    expect(first.status).to.equal(200);
    expect(first.headers).to.not.have.property('transfer-encoding');
    expect(first.body.toString()).to.equal('first piece, second piece, last piece');
    const second = await get(proxy.port, origin.url('/chunked'));
    expect(second.body.toString()).to.equal('first piece, second piece, last piece');
    expect(origin.count('/chunked')).to.equal(1);
  });

  it('relays a close-delimited response completely and caches it', async () => {
    const origin = await startRawOrigin((socket) => socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the origin closes'));
    const proxy = await startCachingProxy();
    const url = `http://127.0.0.1:${origin.port}/old`;
    expect((await get(proxy.port, url)).body.toString()).to.equal('until the origin closes');
    expect((await get(proxy.port, url)).body.toString()).to.equal('until the origin closes');
    expect(origin.connections()).to.equal(1);
  });

  it('cuts the client off and caches nothing when the origin closes in the middle of the body', async () => {
    const origin = await startRawOrigin((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b'));
    const proxy = await startCachingProxy();
    const url = `http://127.0.0.1:${origin.port}/cut`;
    const first = await get(proxy.port, url);
    expect(first.body.length).to.be.below(100);
    await proxy.waitForStdout(logLine(url, 'ERROR', 200));
    await get(proxy.port, url);
    expect(origin.connections(), 'the partial response was not cached').to.equal(2);
  });

  it('passes a 404 through and does not cache it', async () => {
    const origin = await startOrigin();
    const proxy = await startCachingProxy();
    const first = await get(proxy.port, origin.url('/missing'));
    expect(first.status).to.equal(404);
    expect(first.body.toString()).to.equal('no such object');
    await get(proxy.port, origin.url('/missing'));
    expect(origin.count('/missing')).to.equal(2);
    await proxy.waitForStdout(logLine(origin.url('/missing'), 'NOCACHE', 404));
  });

  it('does not cache no-store or private responses, nor a request that says no-store', async () => {
    const origin = await startOrigin();
    const proxy = await startCachingProxy();
    for (const route of ['/no-store', '/private']) {
      await get(proxy.port, origin.url(route));
      await get(proxy.port, origin.url(route));
      expect(origin.count(route), route).to.equal(2);
    }
    await get(proxy.port, origin.url('/b'), 'Cache-Control: no-store\r\n');
    await get(proxy.port, origin.url('/b'));
    expect(origin.count('/b'), 'request no-store').to.equal(2);
    await proxy.waitForStdout(logLine(origin.url('/no-store'), 'NOCACHE', 200));
    expect(readdirSync(proxy.cacheDir)).to.have.length(1); // only /b's second fetch
  });

  it('forwards POST bodies and HEAD requests to the origin and caches neither', async () => {
    const origin = await startOrigin();
    const proxy = await startCachingProxy();
    const postRequest = `POST ${origin.url('/echo')} HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello=world`;
    expect((await send(proxy.port, postRequest)).body.toString()).to.equal('POST body: hello=world');
    expect((await send(proxy.port, postRequest)).body.toString()).to.equal('POST body: hello=world');
    expect(origin.count('/echo')).to.equal(2);
    const head = await send(proxy.port, `HEAD ${origin.url('/a')} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(head.status).to.equal(200);
    expect(head.body.length).to.equal(0);
    await get(proxy.port, origin.url('/a'));
    expect(origin.count('/a'), 'the HEAD response was not stored for the GET').to.equal(2);
  });

  it('keeps the cache across a restart with the same --cache-dir', async () => {
    const origin = await startOrigin();
    const first = await startCachingProxy();
    await get(first.port, origin.url('/kept'));
    first.child.kill('SIGTERM');
    expect((await first.exited).exitCode).to.equal(0);
    const second = await startProxy(['0', '--cache-dir', first.cacheDir]);
    const reply = await get(second.port, origin.url('/kept'));
    expect(reply.body.toString()).to.equal('object at /kept');
    expect(origin.count('/kept')).to.equal(1);
    await second.waitForStdout(logLine(origin.url('/kept'), 'HIT', 200));
  });

  it('with --no-cache stores nothing and asks the origin every time', async () => {
    const origin = await startOrigin();
    const proxy = await startProxy(['0', '--no-cache']);
    expect(proxy.stdout()).to.match(/\(cache off\)/);
    await get(proxy.port, origin.url('/a'));
    await get(proxy.port, origin.url('/a'));
    expect(origin.count('/a')).to.equal(2);
    await proxy.waitForStdout(logLine(origin.url('/a'), 'NOCACHE', 200));
  });

  it('uses socklab-proxy-cache-PORT under the temp folder when no --cache-dir is given', async () => {
    const proxy = await startProxy(['0']);
    const expected = path.join(os.tmpdir(), `socklab-proxy-cache-${proxy.port}`);
    tempDirs.push(expected);
    expect(proxy.stdout()).to.include(`(cache ${expected})`);
    expect(existsSync(expected)).to.equal(true);
  });

  it('answers 502 naming ECONNREFUSED when the origin port is closed', async () => {
    const proxy = await startCachingProxy();
    const url = `http://127.0.0.1:${await unusedPort()}/x`;
    const reply = await get(proxy.port, url);
    expect(reply.status).to.equal(502);
    expect(reply.body.toString()).to.match(/^502 Bad Gateway: .*ECONNREFUSED/);
    await proxy.waitForStdout(logLine(url, 'ERROR', 502, reply.raw.length));
  });

  it('answers 502 naming the DNS error for an unknown host', async () => {
    const proxy = await startCachingProxy();
    const reply = await get(proxy.port, 'http://no-such-host.invalid/x');
    expect(reply.status).to.equal(502);
    expect(reply.body.toString()).to.match(/ENOTFOUND|EAI_AGAIN/);
  });

  it('answers 504 when the origin sends nothing within --origin-timeout', async () => {
    const origin = await startOrigin();
    const proxy = await startCachingProxy(['--origin-timeout', '500ms']);
    const started = Date.now();
    const reply = await get(proxy.port, origin.url('/never'));
    const elapsed = Date.now() - started;
    expect(reply.status).to.equal(504);
    expect(reply.body.toString()).to.include('within 500ms');
    expect(elapsed).to.be.within(450, 3000);
  });

  it('gives up on the origin as soon as the client resets its connection', async () => {
    const origin = await startOrigin();
    const proxy = await startCachingProxy(); // origin timeout 10s
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    socket.on('error', () => {});
    socket.write(`GET ${origin.url('/never')} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.resetAndDestroy();
    await proxy.waitForStdout(logLine(origin.url('/never'), 'ERROR', 0, 0), 3000);
  });

  it('answers 400 to malformed requests and 501 to CONNECT, and keeps serving', async () => {
    const origin = await startOrigin();
    const proxy = await startCachingProxy();
    expect((await send(proxy.port, 'NONSENSE\r\n\r\n')).status).to.equal(400);
    expect((await send(proxy.port, `GET ${origin.url('/a')} HTTP/1.1\r\nNo colon here\r\n\r\n`)).status).to.equal(400);
    expect((await send(proxy.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).status).to.equal(400);
    expect((await send(proxy.port, `GET ${origin.url('/a')} HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n`)).status).to.equal(400);
    expect((await send(proxy.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n')).status).to.equal(501);
    await proxy.waitForStdout(/^proxy: 127\.0\.0\.1:\d+ - - ERROR 400 \d+$/m);
    expect(origin.requests).to.have.length(0);
    expect((await get(proxy.port, origin.url('/a'))).status, 'still serving').to.equal(200);
  });

  it('closes a connection that ends after nothing but blank lines, unanswered and unlogged', async () => {
    const proxy = await startCachingProxy();
    const socket = connect({ host: '127.0.0.1', port: proxy.port }, () => socket.end('\r\n\r\n'));
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error('the proxy left the connection open')), 3000);
      socket.on('close', () => resolve(clearTimeout(guard)));
    });
    expect(Buffer.concat(received).length).to.equal(0);
    expect((await send(proxy.port, 'NONSENSE\r\n\r\n')).status, 'still serving').to.equal(400);
    await proxy.waitForStdout(/ERROR 400/);
    expect(proxy.stdout().match(/^proxy: /gm)).to.have.length(1);
  });

  it('answers 431 to a request head over 16 KiB', async () => {
    const proxy = await startCachingProxy();
    const reply = await send(proxy.port, `GET http://127.0.0.1:1/ HTTP/1.1\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
    expect(reply.status).to.equal(431);
  });

  it('answers 408 to a client that does not finish its request head within 5s', async function () {
    this.timeout(15_000);
    const proxy = await startCachingProxy();
    const started = Date.now();
    const reply = await send(proxy.port, 'GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(reply.status).to.equal(408);
    expect(Date.now() - started).to.be.within(4500, 8000);
  });

  it('answers 508 instead of looping when a URL points at the proxy itself', async () => {
    const proxy = await startCachingProxy();
    const reply = await send(proxy.port, `GET /127.0.0.1:${proxy.port}/x HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(reply.status).to.equal(508);
  });

  it('serves 5 clients of a slow origin at once, while a single-threaded proxy takes 5 times as long', async function () {
    this.timeout(30_000);
    const origin = await startOrigin();
    const proxy = await startCachingProxy();
    const fetchFive = async (proxyPort: number, tag: string) => {
      const started = Date.now();
      const replies = await Promise.all([1, 2, 3, 4, 5].map((n) => get(proxyPort, origin.url(`/slow/${tag}${n}`))));
      for (const reply of replies) expect(reply.status).to.equal(200);
      return Date.now() - started;
    };
    const concurrentMs = await fetchFive(proxy.port, 'reference');
    expect(concurrentMs, `reference proxy took ${concurrentMs}ms`).to.be.below(2000);

    const singleThreaded = await startProxy(['0'], SINGLE_THREADED_PROXY);
    const sequentialMs = await fetchFive(singleThreaded.port, 'single');
    expect(sequentialMs, `single-threaded proxy took ${sequentialMs}ms`).to.be.at.least(5 * SLOW_ORIGIN_DELAY_MS * 0.9);
  });

  it('works for curl -x', async function () {
    needsTool(this, 'curl');
    const origin = await startOrigin();
    const proxy = await startCachingProxy();
    const curl = (url: string) =>
      new Promise<string>((resolve, reject) =>
        execFile('curl', ['-s', '-S', '-x', `http://127.0.0.1:${proxy.port}`, url], (error, stdout, stderr) =>
          error ? reject(new Error(`curl failed: ${stderr}`)) : resolve(stdout),
        ),
      );
    expect(await curl(origin.url('/x'))).to.equal('object at /x');
    expect(await curl(origin.url('/chunked'))).to.equal('first piece, second piece, last piece');
    expect(await curl(origin.url('/x'))).to.equal('object at /x');
    expect(origin.count('/x')).to.equal(1);
  });

  it('exits 0 on SIGTERM, 1 when it cannot listen, 2 on bad usage', async () => {
    const proxy = await startCachingProxy();
    proxy.child.kill('SIGTERM');
    expect((await proxy.exited).exitCode).to.equal(0);

    const blocker = createServer();
    servers.push(blocker);
    const takenPort = await listen(blocker);
    const failed = await runToEnd(['' + takenPort, '--no-cache']);
    expect(failed.exitCode).to.equal(1);
    expect(failed.stderr).to.equal(`proxy: cannot listen on 127.0.0.1:${takenPort}: EADDRINUSE (address already in use)\n`);

    const usage = await runToEnd(['--origin-timeout', 'soon', '8080']);
    expect(usage.exitCode).to.equal(2);
    expect(usage.stderr).to.match(/^proxy: --origin-timeout: expected a duration .*got "soon"\nusage: proxy PORT/);
  });

  function runToEnd(args: string[]): Promise<{ exitCode: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [PROXY, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.add(child);
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      child.on('close', (exitCode) => resolve({ exitCode, stderr }));
    });
  }
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(address && typeof address === 'object' ? address.port : 0);
    }),
  );
}

function unusedPort(): Promise<number> {
  const server = createServer();
  return listen(server).then((port) => new Promise((resolve) => server.close(() => resolve(port))));
}

function logLine(url: string, outcome: string, status: number, bytes?: number): RegExp {
  const escaped = url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^proxy: 127\\.0\\.0\\.1:\\d+ [A-Z]+ ${escaped} ${outcome} ${status} ${bytes ?? '\\d+'}$`, 'm');
}

/** GET through the proxy in absolute form, the way curl -x sends it. */
function get(proxyPort: number, url: string, extraHeaders = ''): Promise<HttpReply> {
  return send(proxyPort, `GET ${url} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nUser-Agent: socklab-test\r\n${extraHeaders}\r\n`);
}

/**
 * Sends raw request bytes and reads until the proxy closes (every response of the proxy is
 * Connection: close). The client never closes first: a request without its blank line stalls.
 */
function send(proxyPort: number, request: string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: proxyPort });
    const chunks: Buffer[] = [];
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within 10s; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`));
    }, 10_000);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after a cut-off response still leaves what arrived to look at.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(guard);
      try {
        resolve(parseReply(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function parseReply(raw: Buffer): HttpReply {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd === -1) throw new Error(`no response head in ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = raw.toString('latin1', 0, headEnd).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { raw, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)?.[1]), headers, body: raw.subarray(headEnd + 4) };
}
