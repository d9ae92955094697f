import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { unusedTcpPort } from './support/service-process.js';
import { needsTool } from '../support/tools.js';
import {
  BUNDLED_ROOT,
  cleanUpWebServerTests,
  openConnection,
  rawExchange,
  READY_LINE,
  spawnServer,
  splitResponse,
  startWebServer,
  temporaryFolder,
  waitForExit,
  type RawResponse,
} from './support/web-server-process.js';

// The web server as a real child process on a real port, spoken to with raw sockets (to send exactly
// the bytes an attacker or a hand-typed request would), Node's fetch and curl. One request per
// connection here; persistent connections and pipelining are in web-server-keep-alive.test.ts.

const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const PASSWD_MARKER = 'root:x:0:0';

/** One GET that asks the server to close after answering, so the response ends where the connection does. */
async function get(port: number, target: string, extraLines = ''): Promise<RawResponse> {
  return splitResponse(await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extraLines}\r\n`));
}

const bundled = (name: string) => readFile(join(BUNDLED_ROOT, name));

describe('web-server', function () {
  this.timeout(30_000);

  afterEach(cleanUpWebServerTests);

  describe('serving files', () => {
    it('prints the ready line with the bound port and the real path of the bundled root', async () => {
      const server = await startWebServer();
      expect(server.stdout()).to.match(/^web-server listening on 127\.0\.0\.1:\d+ \(root \/.+\)\n/);
      expect(READY_LINE.exec(server.stdout())![2]).to.equal(await realpath(BUNDLED_ROOT));
    });

    it('answers GET /HelloWorld.html with the exact file and complete headers, and logs the request', async () => {
      const server = await startWebServer();
      const expected = await bundled('HelloWorld.html');
      const response = await get(server.port, '/HelloWorld.html');
      expect(response.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(response.body.equals(expected), 'body is the file byte for byte').to.equal(true);
      expect(response.body.toString('utf8')).to.contain('<title>Hello World</title>');
      expect(response.headers).to.include({
        'content-type': 'text/html; charset=utf-8',
        'content-length': String(expected.length),
        server: 'socklab-web-server',
        connection: 'close',
      });
      expect(response.headers.date).to.match(IMF_FIXDATE);
      expect(Math.abs(Date.parse(response.headers.date!) - Date.now())).to.be.below(60_000);
      await server.waitForStdout(new RegExp(`^web-server: 127\\.0\\.0\\.1:\\d+ "GET /HelloWorld\\.html HTTP/1\\.1" 200 ${expected.length}$`, 'm'));
    });

    it('answers an HTTP/1.0 request that the client half-closes right after sending', async () => {
      const server = await startWebServer();
      const response = splitResponse(await rawExchange(server.port, 'GET /notes.txt HTTP/1.0\r\n\r\n', { halfClose: true }));
      expect(response.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(response.headers['content-type']).to.equal('text/plain; charset=utf-8');
      expect(response.body.equals(await bundled('notes.txt'))).to.equal(true);
    });

    it('sends the PNG byte for byte, and it is a valid 16x16 PNG', async () => {
      const server = await startWebServer();
      const expected = await bundled('logo.png');
      const response = await get(server.port, '/logo.png');
      expect(response.headers['content-type']).to.equal('image/png');
      expect(response.headers['content-length']).to.equal(String(expected.length));
      expect(response.body.equals(expected)).to.equal(true);
      expect(expected.subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');
      expect(expected.toString('latin1', 12, 16)).to.equal('IHDR');
      expect([expected.readUInt32BE(16), expected.readUInt32BE(20)]).to.deep.equal([16, 16]);
      expect(expected.readUInt32BE(29), 'IHDR CRC').to.equal(crc32(expected.subarray(12, 29)));
    });

    it('serves index.html for "/", else HelloWorld.html, else 404', async () => {
      const bundledServer = await startWebServer();
      expect((await get(bundledServer.port, '/')).body.equals(await bundled('index.html'))).to.equal(true);
      const root = await temporaryFolder();
      await writeFile(join(root, 'HelloWorld.html'), '<title>Hello World</title>');
      const helloOnly = await startWebServer(['--root', root]);
      expect((await get(helloOnly.port, '/')).body.toString()).to.equal('<title>Hello World</title>');
      const emptyRoot = await temporaryFolder();
      const empty = await startWebServer(['--root', emptyRoot]);
      expect((await get(empty.port, '/')).statusLine).to.equal('HTTP/1.1 404 Not Found');
    });

    it('streams a large binary file intact to fetch', async () => {
      const root = await temporaryFolder();
      const content = randomBytes(3 * 1024 * 1024 + 17);
      await writeFile(join(root, 'big.bin'), content);
      const server = await startWebServer(['--root', root]);
      const response = await fetch(server.url('/big.bin'));
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.equal('application/octet-stream');
      expect(response.headers.get('content-length')).to.equal(String(content.length));
      expect(Buffer.from(await response.arrayBuffer()).equals(content)).to.equal(true);
    });

    it('answers HEAD with the headers of GET, same Content-Length, and no body', async () => {
      const server = await startWebServer();
      const asGet = await get(server.port, '/style.css');
      const raw = await rawExchange(server.port, 'HEAD /style.css HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
      const asHead = splitResponse(raw);
      expect(asHead.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(asHead.headers['content-length']).to.equal(asGet.headers['content-length']).and.equal(String(asGet.body.length));
      expect(asHead.headers['content-type']).to.equal('text/css; charset=utf-8');
      expect(asHead.body.length, 'nothing after the blank line').to.equal(0);
      await server.waitForStdout(/"HEAD \/style\.css HTTP\/1\.1" 200 0$/m);
      for (const [request, statusLine] of [
        ['HEAD /missing.html HTTP/1.1\r\nConnection: close\r\n\r\n', 'HTTP/1.1 404 Not Found'],
        ['HEAD / HTTP/2.0\r\n\r\n', 'HTTP/1.1 505 HTTP Version Not Supported'],
      ] as const) {
        const refused = splitResponse(await rawExchange(server.port, request));
        expect(refused.statusLine).to.equal(statusLine);
        expect(Number(refused.headers['content-length'])).to.be.greaterThan(0);
        expect(refused.body.length, `no body after ${statusLine}`).to.equal(0);
      }
    });
  });

  describe('errors', () => {
    it('answers a missing file with 404 and a page naming the path, HTML-escaped', async () => {
      const server = await startWebServer();
      const response = await get(server.port, '/%3Cb%3Emissing%3C/b%3E.html');
      expect(response.statusLine).to.equal('HTTP/1.1 404 Not Found');
      expect(response.headers['content-type']).to.equal('text/html; charset=utf-8');
      expect(response.headers['content-length']).to.equal(String(response.body.length));
      const page = response.body.toString('utf8');
      expect(page).to.contain('/&lt;b&gt;missing&lt;/b&gt;.html').and.not.contain('<b>missing');
      await server.waitForStdout(/"GET \/%3Cb%3Emissing%3C\/b%3E\.html HTTP\/1\.1" 404 \d+$/m);
    });

    it('answers garbage, a lower-case method and a header without colon with 400', async () => {
      const server = await startWebServer();
      for (const request of ['garbage\r\n\r\n', 'get / HTTP/1.1\r\n\r\n', 'GET / HTTP/1.1\r\nHost localhost\r\n\r\n', 'GET /\r\n\r\n']) {
        const response = splitResponse(await rawExchange(server.port, request));
        expect(response.statusLine, JSON.stringify(request)).to.equal('HTTP/1.1 400 Bad Request');
        expect(response.body.toString()).to.contain('<h1>400 Bad Request</h1>');
      }
      await server.waitForStdout(/^web-server: 127\.0\.0\.1:\d+ "garbage" 400 \d+$/m);
    });

    it('answers an unsupported HTTP version with 505 and an oversized head with 431', async () => {
      const server = await startWebServer();
      expect(splitResponse(await rawExchange(server.port, 'GET / HTTP/2.0\r\n\r\n')).statusLine).to.equal('HTTP/1.1 505 HTTP Version Not Supported');
      const oversized = await get(server.port, '/', `X-Filler: ${'a'.repeat(20_000)}\r\n`);
      expect(oversized.statusLine).to.equal('HTTP/1.1 431 Request Header Fields Too Large');
    });

    it('answers other methods with 405 and Allow, even with a request body it never reads', async () => {
      const server = await startWebServer();
      const body = 'name=value&'.repeat(5000);
      const response = splitResponse(
        await rawExchange(server.port, `POST /HelloWorld.html HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
      );
      expect(response.statusLine).to.equal('HTTP/1.1 405 Method Not Allowed');
      expect(response.headers.allow).to.equal('GET, HEAD');
      expect(response.body.toString()).to.contain('POST');
      for (const method of ['PUT', 'DELETE', 'OPTIONS']) {
        expect((await rawExchange(server.port, `${method} / HTTP/1.1\r\nConnection: close\r\n\r\n`)).toString('latin1'), method).to.match(/^HTTP\/1\.1 405 /);
      }
    });
  });

  describe('security', () => {
    it('refuses traversal in every spelling and never sends /etc/passwd', async () => {
      const server = await startWebServer();
      const attacks = [
        '/../etc/passwd',
        '/../../../../../../etc/passwd',
        '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
        '/..%2f..%2f..%2f..%2fetc/passwd',
        '/a/../../x',
        '/\\..\\..\\..\\etc\\passwd',
        '/%5c..%5c..%5cetc/passwd',
        '/etc/passwd%00.html',
        'http://127.0.0.1/../../../../etc/passwd',
        '//etc/passwd',
        '/%2fetc%2fpasswd',
      ];
      for (const target of attacks) {
        const raw = await rawExchange(server.port, `GET ${target} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`);
        const response = splitResponse(raw);
        expect(response.statusLine, target).to.match(/^HTTP\/1\.1 (400|403|404) /);
        expect(raw.toString('latin1'), target).not.to.contain(PASSWD_MARKER);
      }
      expect((await get(server.port, '/HelloWorld.html')).statusLine, 'still serving').to.equal('HTTP/1.1 200 OK');
    });

    it('takes the path from an absolute-form http URL', async () => {
      const server = await startWebServer();
      const response = await get(server.port, 'http://example.org/HelloWorld.html?ignored=1');
      expect(response.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(response.body.equals(await bundled('HelloWorld.html'))).to.equal(true);
    });

    it('refuses symlinks that lead out of the root, follows those that stay inside, and lists no folders', async () => {
      const outside = await temporaryFolder();
      await writeFile(join(outside, 'secret.txt'), 'TOP-SECRET-CONTENT');
      const root = await temporaryFolder();
      await writeFile(join(root, 'page.html'), '<p>inside</p>');
      await mkdir(join(root, 'sub'));
      await writeFile(join(root, 'sub', 'index.html'), '<p>sub index</p>');
      await symlink(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));
      await symlink(outside, join(root, 'outside-folder'));
      await symlink('/etc/passwd', join(root, 'passwd.txt'));
      await symlink('page.html', join(root, 'alias.html'));
      const server = await startWebServer(['--root', root]);

      for (const target of ['/secret-link.txt', '/outside-folder/secret.txt', '/passwd.txt']) {
        const raw = await rawExchange(server.port, `GET ${target} HTTP/1.1\r\nConnection: close\r\n\r\n`);
        expect(splitResponse(raw).statusLine, target).to.equal('HTTP/1.1 403 Forbidden');
        expect(raw.toString('latin1')).not.to.contain('TOP-SECRET').and.not.contain(PASSWD_MARKER);
      }
      const alias = await get(server.port, '/alias.html');
      expect([alias.statusLine, alias.body.toString()]).to.deep.equal(['HTTP/1.1 200 OK', '<p>inside</p>']);
      expect((await get(server.port, '/sub')).statusLine).to.equal('HTTP/1.1 404 Not Found');
      expect((await get(server.port, '/sub/')).statusLine).to.equal('HTTP/1.1 404 Not Found');
    });
  });

  describe('clients and connections', () => {
    it('is readable by Node\'s fetch: GET, 404 and HEAD', async () => {
      const server = await startWebServer();
      const ok = await fetch(server.url('/HelloWorld.html'));
      expect(ok.status).to.equal(200);
      expect(ok.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      expect(await ok.text()).to.equal((await bundled('HelloWorld.html')).toString('utf8'));
      const missing = await fetch(server.url('/nope.html'));
      expect(missing.status).to.equal(404);
      expect(await missing.text()).to.contain('/nope.html');
      const head = await fetch(server.url('/logo.png'), { method: 'HEAD' });
      expect([head.status, head.headers.get('content-length')]).to.deep.equal([200, String((await bundled('logo.png')).length)]);
    });

    it('is readable by curl over HTTP/1.1 and HTTP/1.0', async function () {
      needsTool(this, 'curl');
      const server = await startWebServer();
      const expected = await bundled('HelloWorld.html');
      for (const versionFlag of ['--http1.1', '--http1.0']) {
        const { stdout, stderr } = await promisify(execFile)('/usr/bin/curl', ['-sv', versionFlag, '--max-time', '10', server.url('/HelloWorld.html')], {
          encoding: 'buffer',
        });
        const log = stderr.toString('utf8');
        expect(log, versionFlag).to.match(/^< HTTP\/1\.1 200 OK\r?$/m);
        expect(log).to.match(/^< Content-Type: text\/html; charset=utf-8\r?$/m);
        expect(log).to.match(new RegExp(`^< Content-Length: ${expected.length}\\r?$`, 'm'));
        expect(log).to.match(/^< Server: socklab-web-server\r?$/m);
        expect(stdout.equals(expected), 'curl wrote the file').to.equal(true);
      }
    });

    it('serves many clients at once', async () => {
      const server = await startWebServer();
      const expected = (await bundled('notes.txt')).toString('utf8');
      const bodies = await Promise.all(Array.from({ length: 25 }, () => fetch(server.url('/notes.txt')).then((response) => response.text())));
      expect(bodies).to.have.length(25);
      for (const body of bodies) expect(body).to.equal(expected);
    });

    it('keeps serving while a client stalls mid-head, then answers that client 408 and drops it after --header-timeout', async () => {
      const server = await startWebServer(['--header-timeout', '1s']);
      const slow = openConnection(server.port);
      const slowChunks: Buffer[] = [];
      slow.on('data', (chunk: Buffer) => slowChunks.push(chunk));
      const slowClosed = new Promise<number>((resolve) => slow.on('close', () => resolve(Date.now())));
      await new Promise((resolve) => slow.on('connect', resolve));
      const stalledAt = Date.now();
      slow.write('GET /HelloWorld.html HTTP/1.1\r\nHost: h\r\n');

      const fast = await fetch(server.url('/HelloWorld.html'));
      expect(fast.status).to.equal(200);
      await fast.text();
      expect(slow.destroyed || slow.readableEnded, 'the slow client is still connected while the other is served').to.equal(false);

      const closedAfter = (await slowClosed) - stalledAt;
      expect(closedAfter).to.be.within(900, 3000);
      expect(Buffer.concat(slowChunks).toString('latin1')).to.match(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      await server.waitForStdout(/"GET \/HelloWorld\.html HTTP\/1\.1" 408 \d+$/m);
    });

    it('survives a client that resets the connection in the middle of a large response', async () => {
      const root = await temporaryFolder();
      await writeFile(join(root, 'huge.bin'), randomBytes(32 * 1024 * 1024));
      const server = await startWebServer(['--root', root]);
      const socket = openConnection(server.port);
      socket.on('error', () => {});
      socket.write('GET /huge.bin HTTP/1.1\r\n\r\n');
      await new Promise((resolve) => socket.once('data', resolve));
      socket.resetAndDestroy();
      await server.waitForStdout(/"GET \/huge\.bin HTTP\/1\.1" 200 \d+ \(cut short: the connection closed after \d+ of 33554432 body bytes\)$/m);
      expect(server.child.exitCode).to.equal(null);
      expect((await fetch(server.url('/huge.bin'), { method: 'HEAD' })).status).to.equal(200);
    });
  });

  describe('process life', () => {
    it('with --once answers one request and exits 0; a connection that sends nothing does not count', async () => {
      const server = await startWebServer(['--once']);
      await new Promise<void>((resolve, reject) => {
        const probe = connect({ host: '127.0.0.1', port: server.port }, () => probe.end());
        probe.on('error', reject);
        probe.on('close', () => resolve());
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.child.exitCode, 'still running after a probe').to.equal(null);
      const response = await get(server.port, '/HelloWorld.html');
      expect(response.statusLine).to.equal('HTTP/1.1 200 OK');
      expect(await waitForExit(server.child)).to.deep.equal({ exitCode: 0, signal: null });
      expect(server.stdout().match(/^web-server: .+" \d{3} \d+$/gm)).to.have.length(1);
    });

    it('with --once counts a timed-out head as its one request', async () => {
      const server = await startWebServer(['--once', '--header-timeout', '300ms']);
      const raw = await rawExchange(server.port, 'GET / HTTP/1.1\r\n');
      expect(raw.toString('latin1')).to.match(/^HTTP\/1\.1 408 /);
      expect((await waitForExit(server.child)).exitCode).to.equal(0);
    });

    it('exits 0 on SIGTERM', async () => {
      const server = await startWebServer();
      server.child.kill('SIGTERM');
      expect(await waitForExit(server.child)).to.deep.equal({ exitCode: 0, signal: null });
      expect(server.stdout()).to.contain('web-server: SIGTERM received, closing');
    });

    it('exits 1 with one line naming EADDRINUSE when the port is taken', async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as { port: number }).port;
      try {
        const { child, stderr } = spawnServer([String(port)]);
        expect((await waitForExit(child)).exitCode).to.equal(1);
        expect(stderr()).to.equal(`web-server: cannot listen on 127.0.0.1:${port}: EADDRINUSE (address already in use)\n`);
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });

    it('exits 2 with the usage on bad command lines and a missing root', async () => {
      const port = String(await unusedTcpPort());
      for (const args of [[], ['not-a-port'], [port, '--root', '/definitely/not/here'], [port, '--header-timeout', 'never']]) {
        const { child, stderr } = spawnServer(args);
        expect((await waitForExit(child)).exitCode, args.join(' ')).to.equal(2);
        expect(stderr()).to.match(/^web-server: /).and.contain('usage: web-server PORT');
      }
    });
  });
});
