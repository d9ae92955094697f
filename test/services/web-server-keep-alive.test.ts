import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { BUNDLED_ROOT, cleanUpWebServerTests, openConnection, startWebServer, temporaryFolder, type RawResponse } from './support/web-server-process.js';

// Persistent connections (RFC 9112 §9.3) and pipelining, against the real server process: several
// requests on one connection, answered in order and completely, and the connection closed exactly
// when the rules say so. Responses are split by their Content-Length, as a client must.

const bundled = (name: string) => readFile(join(BUNDLED_ROOT, name));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A file's mtime and ctime must be this old before the server caches it (web/file-cache.ts). */
const CACHE_SETTLE_MS = 2000;

/** One client connection: what it received, and when the server closed it. */
class Client {
  private received = Buffer.alloc(0);
  private readonly waiters = new Set<() => void>();
  closedAt: number | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closedAt = Date.now();
      this.wake();
    });
  }

  static async open(port: number): Promise<Client> {
    const socket = openConnection(port);
    socket.setNoDelay(true);
    await new Promise((resolve) => socket.once('connect', resolve));
    return new Client(socket);
  }

  send(request: string | Buffer): void {
    this.socket.write(request);
  }

  get bytes(): Buffer {
    return this.received;
  }

  /** The first `headOnly.length` responses; `headOnly[i]` says the i-th answers a HEAD (no body whatever its Content-Length). */
  async responses(headOnly: boolean[], timeoutMs = 5000): Promise<RawResponse[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponses(this.received, headOnly);
      if (parsed.length === headOnly.length) return parsed;
      if (this.closedAt !== undefined) expect.fail(`the server closed after ${parsed.length} of ${headOnly.length} responses: ${JSON.stringify(this.received.toString('latin1').slice(0, 400))}`);
      if (Date.now() > deadline) expect.fail(`${parsed.length} of ${headOnly.length} responses within ${timeoutMs}ms: ${JSON.stringify(this.received.toString('latin1').slice(0, 400))}`);
      await this.change(deadline - Date.now());
    }
  }

  /** Resolves with the time of the server's close; fails after `timeoutMs`. */
  async closed(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closedAt === undefined) {
      if (Date.now() > deadline) expect.fail(`the server kept the connection open for ${timeoutMs}ms`);
      await this.change(deadline - Date.now());
    }
    return this.closedAt;
  }

  private change(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(timeoutMs, 0));
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The complete responses at the start of `bytes`, each cut at its Content-Length. */
function parseResponses(bytes: Buffer, headOnly: boolean[]): RawResponse[] {
  const responses: RawResponse[] = [];
  let offset = 0;
  while (responses.length < headOnly.length) {
    const headEnd = bytes.indexOf('\r\n\r\n', offset);
    if (headEnd === -1) break;
    const [statusLine, ...fieldLines] = bytes.toString('latin1', offset, headEnd).split('\r\n');
    const headers = Object.fromEntries(fieldLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    expect(headers, `${statusLine} has a Content-Length`).to.have.property('content-length');
    const bodyLength = headOnly[responses.length] ? 0 : Number(headers['content-length']);
    const end = headEnd + 4 + bodyLength;
    if (end > bytes.length) break;
    responses.push({ statusLine: statusLine!, headers, body: bytes.subarray(headEnd + 4, end), raw: bytes.subarray(offset, end) });
    offset = end;
  }
  return responses;
}

const request = (target: string, extraLines = '', method = 'GET', version = '1.1') => `${method} ${target} HTTP/${version}\r\nHost: h\r\n${extraLines}\r\n`;

describe('web-server: persistent connections and pipelining', function () {
  this.timeout(30_000);
  afterEach(cleanUpWebServerTests);

  it('keeps an HTTP/1.1 connection open and answers request after request on it', async () => {
    const server = await startWebServer();
    const client = await Client.open(server.port);
    client.send(request('/HelloWorld.html'));
    const [first] = await client.responses([false]);
    expect(first!.statusLine).to.equal('HTTP/1.1 200 OK');
    expect(first!.headers).to.include({ connection: 'keep-alive', 'content-length': String((await bundled('HelloWorld.html')).length) });
    expect(first!.headers.date).to.match(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(first!.body.equals(await bundled('HelloWorld.html'))).to.equal(true);

    client.send(request('/notes.txt'));
    const [, second] = await client.responses([false, false]);
    expect(second!.headers).to.include({ connection: 'keep-alive', 'content-type': 'text/plain; charset=utf-8' });
    expect(second!.body.equals(await bundled('notes.txt'))).to.equal(true);
    await sleep(200);
    expect(client.closedAt, 'still open after two responses').to.equal(undefined);
    const port = client.socket.localPort;
    await server.waitForStdout(new RegExp(`:${port} "GET /notes\\.txt HTTP/1\\.1" 200 \\d+$`, 'm'));
    expect(server.stdout().match(new RegExp(`:${port} "GET`, 'g'))).to.have.length(2);
  });

  it('answers requests pipelined in one write in order and completely, and none after "Connection: close"', async () => {
    const server = await startWebServer();
    const client = await Client.open(server.port);
    client.send(
      request('/HelloWorld.html') +
        request('/style.css', '', 'HEAD') +
        request('/missing.html') +
        request('/logo.png') +
        request('/notes.txt', 'Connection: close\r\n') +
        request('/index.html'),
    );
    const responses = await client.responses([false, true, false, false, false]);
    expect(responses.map((response) => response.statusLine)).to.deep.equal([
      'HTTP/1.1 200 OK',
      'HTTP/1.1 200 OK',
      'HTTP/1.1 404 Not Found',
      'HTTP/1.1 200 OK',
      'HTTP/1.1 200 OK',
    ]);
    expect(responses.map((response) => response.headers.connection)).to.deep.equal(['keep-alive', 'keep-alive', 'keep-alive', 'keep-alive', 'close']);
    expect(responses[0]!.body.equals(await bundled('HelloWorld.html'))).to.equal(true);
    expect([responses[1]!.headers['content-length'], responses[1]!.body.length]).to.deep.equal([String((await bundled('style.css')).length), 0]);
    expect(responses[2]!.body.toString()).to.contain('/missing.html');
    expect(responses[3]!.body.equals(await bundled('logo.png'))).to.equal(true);
    expect(responses[4]!.body.equals(await bundled('notes.txt'))).to.equal(true);
    await client.closed();
    expect(client.bytes.length, 'nothing after the response to "Connection: close"').to.equal(responses.reduce((sum, response) => sum + response.raw.length, 0));
  });

  it('closes after answering "Connection: close" and HTTP/1.0, and keeps HTTP/1.0 with "Connection: keep-alive"', async () => {
    const server = await startWebServer();
    for (const [what, head] of [
      ['HTTP/1.1 with Connection: close', request('/notes.txt', 'Connection: close\r\n')],
      ['HTTP/1.0', request('/notes.txt', '', 'GET', '1.0')],
      ['HTTP/1.0 with "Connection: Keep-Alive, close"', request('/notes.txt', 'Connection: Keep-Alive, close\r\n', 'GET', '1.0')],
    ] as const) {
      const client = await Client.open(server.port);
      client.send(head);
      const [response] = await client.responses([false]);
      expect(response!.headers.connection, what).to.equal('close');
      await client.closed();
    }
    const client = await Client.open(server.port);
    client.send(request('/notes.txt', 'Connection: keep-alive\r\n', 'GET', '1.0'));
    expect((await client.responses([false]))[0]!.headers.connection).to.equal('keep-alive');
    client.send(request('/logo.png', 'Connection: keep-alive\r\n', 'GET', '1.0'));
    const [, second] = await client.responses([false, false]);
    expect(second!.body.equals(await bundled('logo.png'))).to.equal(true);
  });

  it('serves the new bytes of a file changed between two requests, cached or not', async function () {
    this.timeout(20_000);
    const root = await temporaryFolder();
    await writeFile(join(root, 'settled.txt'), 'version 1');
    await writeFile(join(root, 'fresh.txt'), 'version 1');
    await sleep(CACHE_SETTLE_MS + 300); // settled.txt becomes cacheable
    const server = await startWebServer(['--root', root]);
    const client = await Client.open(server.port);
    const bodies: string[] = [];
    const fetchBody = async (target: string) => {
      client.send(request(target));
      const responses = await client.responses(Array.from({ length: bodies.length + 1 }, () => false));
      const response = responses.at(-1)!;
      bodies.push(`${response.statusLine.slice(9, 12)} ${response.body.toString()}`);
    };
    await fetchBody('/settled.txt');
    await fetchBody('/settled.txt'); // from the cache now
    await writeFile(join(root, 'settled.txt'), 'version 2'); // same size, same second
    await fetchBody('/settled.txt');
    await writeFile(join(root, 'next.txt'), 'version 3');
    await rename(join(root, 'next.txt'), join(root, 'settled.txt')); // another inode under the same name
    await fetchBody('/settled.txt');
    await fetchBody('/fresh.txt');
    await writeFile(join(root, 'fresh.txt'), 'version 2');
    await fetchBody('/fresh.txt');
    await rm(join(root, 'fresh.txt'));
    await fetchBody('/fresh.txt');
    expect(bodies.map((body) => body.split('\n')[0]!.slice(0, 13))).to.deep.equal([
      '200 version 1',
      '200 version 1',
      '200 version 2',
      '200 version 3',
      '200 version 1',
      '200 version 2',
      '404 <!DOCTYPE',
    ]);
  });

  it('streams a large file on a kept-alive connection, then answers the request pipelined behind it', async () => {
    const root = await temporaryFolder();
    const content = randomBytes(3 * 1024 * 1024 + 5);
    await writeFile(join(root, 'big.bin'), content);
    await writeFile(join(root, 'small.txt'), 'small');
    const server = await startWebServer(['--root', root]);
    const client = await Client.open(server.port);
    client.send(request('/big.bin') + request('/small.txt'));
    const [big, small] = await client.responses([false, false], 15_000);
    expect(big!.headers['content-length']).to.equal(String(content.length));
    expect(big!.body.equals(content), 'the large body arrives intact').to.equal(true);
    expect(small!.body.toString()).to.equal('small');
  });

  it('answers a long pipeline in order and completely to a client that does not read for a while', async () => {
    const root = await temporaryFolder();
    const files = Array.from({ length: 40 }, (_, index) => randomBytes(100 * 1024 + index));
    await Promise.all(files.map((content, index) => writeFile(join(root, `${index}.bin`), content)));
    const server = await startWebServer(['--root', root]);
    const client = await Client.open(server.port);
    client.socket.pause(); // the server's socket buffer fills up: it must wait, then go on in order
    client.send(files.map((_, index) => request(`/${index}.bin`)).join(''));
    await sleep(500);
    client.socket.resume();
    const responses = await client.responses(files.map(() => false), 15_000);
    responses.forEach((response, index) => expect(response.body.equals(files[index]!), `response ${index}`).to.equal(true));
  });

  it('reads requests split over many TCP segments, on the first request and on a later one', async () => {
    const server = await startWebServer();
    const client = await Client.open(server.port);
    const sendInPieces = async (text: string, pieces: number) => {
      const size = Math.ceil(text.length / pieces);
      for (let start = 0; start < text.length; start += size) {
        client.send(text.slice(start, start + size));
        await sleep(30);
      }
    };
    await sendInPieces(request('/HelloWorld.html', 'User-Agent: typed by hand\r\n'), 7);
    await sendInPieces(`${request('/notes.txt')}GET /logo`, 3);
    await sendInPieces('.png HTTP/1.1\r\n\r\n', 2);
    const [first, second, third] = await client.responses([false, false, false]);
    expect(first!.body.equals(await bundled('HelloWorld.html'))).to.equal(true);
    expect(second!.body.equals(await bundled('notes.txt'))).to.equal(true);
    expect(third!.body.equals(await bundled('logo.png'))).to.equal(true);
  });

  it('answers every complete request sent before the client half-closes, then closes', async () => {
    const server = await startWebServer();
    const client = await Client.open(server.port);
    client.socket.end(request('/notes.txt') + request('/missing') + request('/logo.png', '', 'HEAD'));
    const responses = await client.responses([false, false, true]);
    expect(responses.map((response) => response.statusLine.slice(9))).to.deep.equal(['200 OK', '404 Not Found', '200 OK']);
    await client.closed();
  });

  it('closes an idle connection after --idle-timeout without answering anything', async () => {
    const server = await startWebServer(['--idle-timeout', '300ms']);
    const client = await Client.open(server.port);
    client.send(request('/notes.txt'));
    const [response] = await client.responses([false]);
    const answeredAt = Date.now();
    const idleFor = (await client.closed()) - answeredAt;
    expect(idleFor).to.be.within(200, 2500);
    expect(client.bytes.length, 'no 408 or other bytes after the response').to.equal(response!.raw.length);
  });

  it('gives a later request its own --header-timeout, from its first byte', async () => {
    const server = await startWebServer(['--header-timeout', '400ms', '--idle-timeout', '5s']);
    const client = await Client.open(server.port);
    client.send(request('/notes.txt'));
    await client.responses([false]);
    await sleep(600); // longer than the header timeout, shorter than the idle timeout
    expect(client.closedAt, 'an idle connection is not timed out as a slow head').to.equal(undefined);
    const startedAt = Date.now();
    client.send('GET /logo.png HTTP/1.1\r\n');
    const [, timedOut] = await client.responses([false, false]);
    expect(timedOut!.statusLine).to.equal('HTTP/1.1 408 Request Timeout');
    expect(timedOut!.headers.connection).to.equal('close');
    expect((await client.closed()) - startedAt).to.be.within(300, 3000);
  });

  it('answers at most --max-requests requests on one connection, the last saying "Connection: close"', async () => {
    const server = await startWebServer(['--max-requests', '2']);
    const client = await Client.open(server.port);
    client.send(request('/notes.txt') + request('/notes.txt') + request('/notes.txt'));
    const responses = await client.responses([false, false]);
    expect(responses.map((response) => response.headers.connection)).to.deep.equal(['keep-alive', 'close']);
    await client.closed();
    expect(client.bytes.length).to.equal(responses[0]!.raw.length + responses[1]!.raw.length);
  });

  it('closes after a request with a body instead of reading the body as the next request', async () => {
    const server = await startWebServer();
    const client = await Client.open(server.port);
    const body = request('/HelloWorld.html');
    client.send(`POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const [refused] = await client.responses([false]);
    expect(refused!.statusLine).to.equal('HTTP/1.1 405 Method Not Allowed');
    expect(refused!.headers.connection).to.equal('close');
    await client.closed();
    expect(client.bytes.length, 'the body was not answered as a request').to.equal(refused!.raw.length);
  });

  it('answers a malformed request in the middle of a pipeline with 400 and closes; the responses before it are whole', async () => {
    const server = await startWebServer();
    const client = await Client.open(server.port);
    client.send(`${request('/logo.png')}THIS IS NOT HTTP\r\n\r\n${request('/notes.txt')}`);
    const [image, refused] = await client.responses([false, false]);
    expect(image!.body.equals(await bundled('logo.png'))).to.equal(true);
    expect([refused!.statusLine, refused!.headers.connection]).to.deep.equal(['HTTP/1.1 400 Bad Request', 'close']);
    await client.closed();
    expect(client.bytes.length).to.equal(image!.raw.length + refused!.raw.length);
  });
});
