import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { UsageError } from '../../services/lib/common/cli-args.js';
import { BodyReader, ChunkedDecoder, MalformedBodyError } from '../../services/lib/proxy/body.js';
import { mayAnswerFromCache, mayStore } from '../../services/lib/proxy/cache-policy.js';
import { cacheKey, DiskCache } from '../../services/lib/proxy/cache.js';
import { parseProxyCommandLine } from '../../services/lib/proxy/command-line.js';
import { originRequestHead, parseProxyRequest, RequestRejection, resolveTarget } from '../../services/lib/proxy/request.js';
import { clientResponseHead, MalformedHeadError, parseResponseHead, responseBodyFraming } from '../../services/lib/proxy/response.js';

// The proxy's parsing, framing and caching pieces, on inputs written out byte for byte.

function request(head: string) {
  return parseProxyRequest(Buffer.from(head, 'latin1'));
}

function rejection(head: string): RequestRejection {
  try {
    request(head);
  } catch (error) {
    if (error instanceof RequestRejection) return error;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(head)}`);
}

function response(head: string) {
  return parseResponseHead(Buffer.from(head, 'latin1'));
}

describe('proxy building blocks', () => {
  describe('command line', () => {
    it('defaults to 127.0.0.1, the default cache folder and a 10s origin timeout', () => {
      expect(parseProxyCommandLine(['8888'])).to.deep.equal({ host: '127.0.0.1', port: 8888, cacheDir: undefined, cache: true, originTimeoutMs: 10_000 });
      expect(parseProxyCommandLine(['0', '--no-cache', '--origin-timeout', '500ms'])).to.include({ cache: false, originTimeoutMs: 500 });
      expect(parseProxyCommandLine(['8888', '--cache-dir', 'c'])).to.include({ cacheDir: path.resolve('c') });
    });

    it('names the argument in usage errors', () => {
      expect(() => parseProxyCommandLine([])).to.throw(UsageError, 'missing PORT');
      expect(() => parseProxyCommandLine(['8888', '--origin-timeout', 'soon'])).to.throw(UsageError, '--origin-timeout: expected a duration');
      expect(() => parseProxyCommandLine(['8888', '--cache-dir', 'c', '--no-cache'])).to.throw(UsageError, 'contradict');
      expect(() => parseProxyCommandLine(['http'])).to.throw(UsageError, 'PORT: expected a port number 0–65535, got "http"');
    });
  });

  describe('request targets', () => {
    it('normalises the absolute form: case, default port, dot segments, credentials and fragment', () => {
      const { url, form } = resolveTarget('HTTP://user:pw@WWW.Example.COM:80/a/../b.html?q=1#top');
      expect(form).to.equal('absolute');
      expect(url.href).to.equal('http://www.example.com/b.html?q=1');
    });

    it("reads the lab's path form: host (and port) in the first segment", () => {
      expect(resolveTarget('/www.example.com/index.html')).to.deep.include({ form: 'path' });
      expect(resolveTarget('/www.example.com/index.html').url.href).to.equal('http://www.example.com/index.html');
      expect(resolveTarget('/localhost:8080').url.href).to.equal('http://localhost:8080/');
    });

    it('rejects targets without a host, and schemes other than http', () => {
      expect(() => resolveTarget('/')).to.throw(RequestRejection, 'no host in "/"');
      expect(() => resolveTarget('*')).to.throw(RequestRejection, 'neither an http:// URL nor /HOST/PATH');
      const https = (() => {
        try {
          resolveTarget('https://example.com/');
        } catch (error) {
          return error as RequestRejection;
        }
      })();
      expect(https?.status).to.equal(501);
    });
  });

  describe('request heads', () => {
    it('answers malformed requests with 400, CONNECT with 501, HTTP/2.0 with 505', () => {
      expect(rejection('GET http://a/ HTTP/1.1\r\nBad Header: x\r\n\r\n').status).to.equal(400);
      expect(rejection('GET http://a/ HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n').status).to.equal(400);
      expect(rejection('GET  http://a/ HTTP/1.1\r\n\r\n').status).to.equal(400);
      expect(rejection('GET http://a/ HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n').status).to.equal(400);
      expect(rejection('CONNECT a:443 HTTP/1.1\r\n\r\n').status).to.equal(501);
      expect(rejection('GET http://a/ HTTP/2.0\r\n\r\n').status).to.equal(505);
      expect(rejection('GET http://a/ HTTP/1.1\r\n\r\n'.replace('GET', 'G(T')).status).to.equal(400);
    });

    it('builds the origin request: origin form, Host, no hop-by-hop headers, Via, Connection: close', () => {
      const parsed = request(
        'POST http://127.0.0.1:4000/form?x=1 HTTP/1.1\r\nHost: proxy\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n' +
          'Proxy-Connection: keep-alive\r\nKeep-Alive: 5\r\nTE: trailers\r\nUpgrade: h2c\r\nProxy-Authorization: Basic eA==\r\n' +
          'Expect: 100-continue\r\nContent-Length: 3\r\nAccept: */*\r\n\r\n',
      );
      expect(parsed.body).to.deep.equal({ kind: 'length', length: 3 });
      expect(originRequestHead(parsed, 'socklab-proxy-8888').toString('latin1')).to.equal(
        'POST /form?x=1 HTTP/1.1\r\nHost: 127.0.0.1:4000\r\nContent-Length: 3\r\nAccept: */*\r\n' +
          'Via: 1.1 socklab-proxy-8888\r\nConnection: close\r\n\r\n',
      );
    });

    it('reads the head with the parser the web server uses: same grammar, same leniency', () => {
      expect(rejection('get http://a/ HTTP/1.1\r\n\r\n').status).to.equal(400);
      expect(rejection('GET http://a/caf\xe9 HTTP/1.1\r\n\r\n').status).to.equal(400);
      expect(rejection('GET http://a/ HTTP/1.1\r\nX-A: a\0b\r\n\r\n').status).to.equal(400);
      const lenient = request('\r\nGET http://a/x HTTP/1.0\nHost: a\n\n');
      expect(lenient).to.deep.include({ method: 'GET', version: '1.0', form: 'absolute' });
      expect(lenient.headers).to.deep.equal([{ name: 'Host', value: 'a' }]);
    });

    it('keeps method and target of a refused request for the log line', () => {
      expect(rejection('NONSENSE\r\n\r\n').seen).to.deep.equal({});
      expect(rejection('GET http://a/ HTTP/1.1\r\nBad Header: x\r\n\r\n').seen).to.deep.equal({ method: 'GET', target: 'http://a/' });
      expect(rejection('CONNECT a:443 HTTP/1.1\r\n\r\n').seen).to.deep.equal({ method: 'CONNECT', target: 'a:443' });
    });
  });

  describe('bodies', () => {
    it('decodes chunked data fed one byte at a time, with extensions and trailers, and stops at its end', () => {
      const wire = Buffer.from('4;name=value\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: yes\r\n\r\nNEXT MESSAGE');
      const decoder = new ChunkedDecoder();
      const data: Buffer[] = [];
      let consumed = 0;
      for (let index = 0; index < wire.length && !decoder.done; index++) {
        const piece = decoder.push(wire.subarray(index, index + 1));
        data.push(...piece.data);
        consumed += piece.raw.length;
      }
      expect(Buffer.concat(data).toString()).to.equal('Wikipedia');
      expect(decoder.done).to.equal(true);
      expect(consumed).to.equal(wire.indexOf('NEXT'));
    });

    it('rejects broken chunk framing', () => {
      expect(() => new ChunkedDecoder().push(Buffer.from('zz\r\n'))).to.throw(MalformedBodyError, 'bad chunk size line');
      expect(() => new ChunkedDecoder().push(Buffer.from('2\r\nabc\r\n'))).to.throw(MalformedBodyError, 'longer than its size');
    });

    it('reads exactly Content-Length bytes and nothing after them', () => {
      const reader = new BodyReader({ kind: 'length', length: 5 });
      expect(reader.push(Buffer.from('abc')).done).to.equal(false);
      const last = reader.push(Buffer.from('deXYZ'));
      expect(last.done).to.equal(true);
      expect(last.raw.toString()).to.equal('de');
      expect(reader.dataBytes).to.equal(5);
    });

    it('ends a close-delimited body when the origin closes, and no other kind', () => {
      expect(new BodyReader({ kind: 'close' }).endOfInput()).to.equal(true);
      expect(new BodyReader({ kind: 'length', length: 3 }).endOfInput()).to.equal(false);
    });
  });

  describe('responses', () => {
    it('works out the body framing, including bodiless responses', () => {
      const ok = response('HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n');
      expect(responseBodyFraming('GET', ok)).to.deep.equal({ kind: 'length', length: 12 });
      expect(responseBodyFraming('HEAD', ok)).to.deep.equal({ kind: 'none' });
      expect(responseBodyFraming('GET', response('HTTP/1.1 304 Not Modified\r\n\r\n'))).to.deep.equal({ kind: 'none' });
      expect(responseBodyFraming('GET', response('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'))).to.deep.equal({ kind: 'chunked' });
      expect(responseBodyFraming('GET', response('HTTP/1.0 200 OK\r\n\r\n'))).to.deep.equal({ kind: 'close' });
      expect(() => responseBodyFraming('GET', response('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'))).to.throw(MalformedHeadError);
      expect(() => response('ICY 200 OK\r\n\r\n')).to.throw(MalformedHeadError, 'not an HTTP/1.x status line');
    });

    it('unfolds header lines an origin folded, and refuses what breaks the field grammar', () => {
      const folded = response('HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\nContent-Length: 3\r\n\r\n');
      expect(folded.headers).to.deep.equal([
        { name: 'X-Long', value: 'one two' },
        { name: 'Content-Length', value: '3' },
      ]);
      expect(() => response('HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n')).to.throw(MalformedHeadError, '"Bad Header"');
      expect(() => response('HTTP/1.1 200 OK\x00\r\n\r\n')).to.throw(MalformedHeadError, 'not an HTTP/1.x status line');
    });

    it('gives the client a head without hop-by-hop fields, de-chunked, with Connection: close', () => {
      const origin = response('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nKeep-Alive: 5\r\nConnection: keep-alive\r\n\r\n');
      expect(clientResponseHead(origin, { kind: 'chunked' }, 'p').toString('latin1')).to.equal(
        'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nVia: 1.1 p\r\nConnection: close\r\n\r\n',
      );
    });
  });

  describe('cache policy', () => {
    const get = request('GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n');
    const ok = response('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n');

    it('stores only 200 responses to GET without no-store, private or credentials', () => {
      expect(mayStore(get, ok)).to.equal(true);
      expect(mayStore(get, response('HTTP/1.1 404 Not Found\r\n\r\n'))).to.equal(false);
      expect(mayStore(get, response('HTTP/1.1 200 OK\r\nCache-Control: max-age=60, no-store\r\n\r\n'))).to.equal(false);
      expect(mayStore(get, response('HTTP/1.1 200 OK\r\nCache-Control: private="Set-Cookie"\r\n\r\n'))).to.equal(false);
      expect(mayStore(request('POST http://a/x HTTP/1.1\r\nContent-Length: 0\r\n\r\n'), ok)).to.equal(false);
      expect(mayStore(request('HEAD http://a/x HTTP/1.1\r\n\r\n'), ok)).to.equal(false);
      expect(mayStore(request('GET http://a/x HTTP/1.1\r\nCache-Control: no-store\r\n\r\n'), ok)).to.equal(false);
      expect(mayStore(request('GET http://a/x HTTP/1.1\r\nAuthorization: Basic eA==\r\n\r\n'), ok)).to.equal(false);
    });

    it('goes to the origin on a forced reload', () => {
      expect(mayAnswerFromCache(get)).to.equal(true);
      expect(mayAnswerFromCache(request('GET http://a/x HTTP/1.1\r\nPragma: no-cache\r\n\r\n'))).to.equal(false);
      expect(mayAnswerFromCache(request('GET http://a/x HTTP/1.1\r\nCache-Control: no-cache\r\n\r\n'))).to.equal(false);
    });
  });

  describe('disk cache', () => {
    let dir: string;
    const warnings: string[] = [];
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'socklab-proxy-cache-test-'));
      warnings.length = 0;
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('names entries by the SHA-256 of the URL, whatever the URL holds', () => {
      const cache = new DiskCache(dir, (line) => warnings.push(line));
      const url = resolveTarget('http://a/../../../etc/passwd').url;
      expect(cacheKey(url)).to.equal(createHash('sha256').update('http://a/etc/passwd').digest('hex'));
      expect(path.dirname(cache.fileFor(url))).to.equal(dir);
    });

    it('stores a committed entry and reads it back as head and body', async () => {
      const cache = new DiskCache(dir, (line) => warnings.push(line));
      const url = new URL('http://a/x');
      const entry = cache.begin(url, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'));
      expect(await cache.open(url), 'nothing visible before the commit').to.equal(null);
      entry.write(Buffer.from('hel'));
      entry.write(Buffer.from('lo'));
      expect(await entry.commit()).to.equal(true);
      const cached = await cache.open(url);
      expect(cached!.head.toString()).to.equal('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
      expect(cached!.bodyBytes).to.equal(5);
      expect(await text(cached!.body)).to.equal('hello');
      expect(readdirSync(dir)).to.have.length(1);
    });

    it('leaves nothing behind for a discarded entry, and removes a damaged one', async () => {
      const cache = new DiskCache(dir, (line) => warnings.push(line));
      const url = new URL('http://a/x');
      const entry = cache.begin(url, Buffer.from('HTTP/1.1 200 OK\r\n\r\n'));
      entry.write(Buffer.from('partial'));
      entry.discard();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(readdirSync(dir)).to.deep.equal([]);
      writeFileSync(cache.fileFor(url), 'not a response');
      expect(await cache.open(url)).to.equal(null);
      expect(readdirSync(dir)).to.deep.equal([]);
      expect(warnings.join('\n')).to.include('is not a stored response');
    });
  });
});
