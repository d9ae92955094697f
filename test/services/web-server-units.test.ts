import { expect } from 'chai';
import { UsageError } from '../../services/lib/common/cli-args.js';
import { parseWebServerCommandLine } from '../../services/lib/web/command-line.js';
import { contentTypeFor } from '../../services/lib/web/content-types.js';
import { announcesBody, clientPersistence, clientSendsNoMore, persistenceAfter } from '../../services/lib/web/keep-alive.js';
import { parseWebRequestHead, type WebHeadResult, type WebRequest, type WebRequestError } from '../../services/lib/web/request.js';
import { errorPage, escapeHtml, formatResponseHead, httpDate, loggableRequestLine, responseBytes } from '../../services/lib/web/response.js';
import { itRefusesEach, type RefusalCase } from './support/refusal-cases.js';

// The web server's pieces that need no socket. The head's grammar itself (request line, header
// fields, limits) is tested with the parser all programs share, in http-request-head.test.ts.

function parse(text: string | Buffer): WebHeadResult {
  return parseWebRequestHead(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
}

function parsedRequest(text: string): WebRequest {
  const result = parse(text);
  if (result.outcome !== 'request') expect.fail(`expected a request, got ${JSON.stringify(result)}`);
  return result.request;
}

function refusal(text: string | Buffer): WebRequestError {
  const result = parse(text);
  if (result.outcome !== 'error') expect.fail(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

const request = (target: string) => `GET ${target} HTTP/1.1\r\nHost: h\r\n\r\n`;

describe('web-server requests: the shared head parser plus the target as a path', () => {
  describe('well-formed heads', () => {
    it('parses the request line, the header fields, the path and the length of the head', () => {
      const text = 'GET /HelloWorld.html HTTP/1.1\r\nHost: localhost:6789\r\nUser-Agent:  curl/8 \t\r\n\r\nBODY';
      const result = parse(text);
      expect(result).to.deep.equal({
        outcome: 'request',
        headLength: text.length - 'BODY'.length,
        request: {
          method: 'GET',
          target: '/HelloWorld.html',
          version: '1.1',
          path: { segments: ['HelloWorld.html'], text: '/HelloWorld.html' },
          headers: [
            { name: 'Host', value: 'localhost:6789' },
            { name: 'User-Agent', value: 'curl/8' },
          ],
          requestLine: 'GET /HelloWorld.html HTTP/1.1',
        },
      });
    });

    it('reads the path with bare LF line ends, and passes "incomplete" and head errors through', () => {
      expect(parsedRequest('GET /notes.txt HTTP/1.1\nHost: h\n\n').path.segments).to.deep.equal(['notes.txt']);
      expect(parse('GET / HTTP/1.1\r\nHost: h\r\n')).to.deep.equal({ outcome: 'incomplete' });
      expect(refusal('get / HTTP/1.1\r\n\r\n')).to.include({ code: 'bad-method', status: 400, requestLine: 'get / HTTP/1.1' });
      expect(refusal(Buffer.alloc(20_000, 0x61))).to.include({ code: 'head-too-large', status: 431 });
    });

    it('percent-decodes the path and drops the query string and fragment', () => {
      expect(parsedRequest(request('/my%20page.html?x=1&y=%zz#top')).path).to.deep.equal({ segments: ['my page.html'], text: '/my page.html' });
      expect(parsedRequest(request('/caf%C3%A9.txt')).path.segments).to.deep.equal(['café.txt']);
      expect(parsedRequest(request('/a//./b/')).path.segments).to.deep.equal(['a', 'b']);
    });

    it('takes the path of an absolute-form http URL and ignores its host', () => {
      expect(parsedRequest(request('http://example.org:8080/HelloWorld.html?q')).path.segments).to.deep.equal(['HelloWorld.html']);
      expect(parsedRequest(request('HTTP://h')).path.segments).to.deep.equal([]);
    });
  });

  describe('targets that name no file under the root are 400 with a typed error', () => {
    const cases: Array<RefusalCase<WebRequestError['code']>> = [
      ['a target without leading slash', 'GET index.html HTTP/1.1\r\n\r\n', 'bad-target'],
      ['the asterisk form', 'GET * HTTP/1.1\r\n\r\n', 'bad-target'],
      ['a non-http absolute URL', request('ftp://h/x'), 'bad-target'],
      ['an absolute URL with user information', request('http://user@h/x'), 'bad-target'],
      ['raw non-ASCII in the target', request('/caf\xe9.html'), 'bad-target'],
      ['a lone percent sign', request('/100%.html'), 'bad-percent-encoding'],
      ['a percent sign with one hex digit', request('/a%2'), 'bad-percent-encoding'],
      ['non-hex percent encoding', request('/a%zz'), 'bad-percent-encoding'],
      ['percent-encoded bytes that are not UTF-8', request('/%ff%fe'), 'bad-percent-encoding'],
    ];
    itRefusesEach(cases, refusal);

    it('keeps the request line, method and target for the log', () => {
      expect(refusal(request('/a%zz'))).to.deep.include({ requestLine: 'GET /a%zz HTTP/1.1', seen: { method: 'GET', target: '/a%zz' } });
    });
  });

  describe('path traversal is refused before any file is touched', () => {
    const attacks = [
      '/../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2E%2E/%2e%2E/etc/passwd',
      '/..%2f..%2fetc/passwd',
      '/..%2F..%2Fetc%2Fpasswd',
      '/a/../../x',
      '/a/..',
      '/\\..\\..\\etc\\passwd',
      '\\..\\..\\etc\\passwd',
      '/..%5c..%5cetc/passwd',
      '/%00/etc/passwd',
      '/index.html%00.png',
      'http://h/../etc/passwd',
      'http://h/%2e%2e/etc/passwd',
    ];
    for (const target of attacks) {
      it(`refuses ${target}`, () => {
        const error = refusal(request(target));
        expect(error.status).to.equal(400);
        expect(error.code).to.be.oneOf(['forbidden-path', 'bad-target']);
      });
    }

    it('still allows names that merely contain dots', () => {
      expect(parsedRequest(request('/..hidden/a..b/...')).path.segments).to.deep.equal(['..hidden', 'a..b', '...']);
    });
  });
});

describe('web-server responses and command line', () => {
  it('formats the status line and header fields with an IMF-fixdate', () => {
    const head = formatResponseHead({ status: 404, contentType: 'text/html; charset=utf-8', contentLength: 12, connection: 'close', date: new Date(Date.UTC(1994, 10, 6, 8, 49, 37)) });
    expect(head).to.equal(
      'HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 12\r\n' +
        'Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: socklab-web-server\r\nConnection: close\r\n\r\n',
    );
  });

  it('says keep-alive to HTTP/1.1 and to HTTP/1.0 asking for it, and lets the client say close', () => {
    expect(formatResponseHead({ status: 200, contentType: 'text/plain', contentLength: 0, connection: 'keep-alive', extraHeaders: { 'Last-Modified': 'x' } })).to.match(
      /\r\nConnection: keep-alive\r\nLast-Modified: x\r\n\r\n$/,
    );
    const field = (name: string, value: string) => ({ name, value });
    expect(clientPersistence('1.1', [])).to.equal('keep-alive');
    expect(clientPersistence('1.1', [field('Connection', 'Upgrade, CLOSE')])).to.equal('close');
    expect(clientPersistence('1.0', [])).to.equal('close');
    expect(clientPersistence('1.0', [field('connection', 'Keep-Alive')])).to.equal('keep-alive');
    expect(clientPersistence('1.0', [field('Connection', 'keep-alive'), field('Connection', 'close')])).to.equal('close');
  });

  it('closes after a body it cannot frame, a server error, and the last request a connection may carry', () => {
    const field = (name: string, value: string) => ({ name, value });
    expect(announcesBody([field('Content-Length', '0')])).to.equal(false);
    expect(announcesBody([field('Content-Length', '0, 0')])).to.equal(false);
    for (const fields of [[field('Content-Length', '5')], [field('Content-Length', 'abc')], [field('Transfer-Encoding', 'chunked')], [field('Content-Length', '0, 1')]]) {
      expect(announcesBody(fields), JSON.stringify(fields)).to.equal(true);
    }
    const limits = { maxRequests: 3 };
    const answered = { version: '1.1' as const, headers: [], status: 200, number: 1 };
    expect(persistenceAfter(answered, limits)).to.equal('keep-alive');
    expect(persistenceAfter({ ...answered, status: 404 }, limits)).to.equal('keep-alive');
    expect(persistenceAfter({ ...answered, status: 500 }, limits)).to.equal('close');
    expect(persistenceAfter({ ...answered, number: 3 }, limits)).to.equal('close');
    expect(persistenceAfter({ ...answered, headers: [field('Content-Length', '2')] }, limits)).to.equal('close');
    expect(persistenceAfter({ ...answered, version: '1.0' }, limits)).to.equal('close');
    // Only a client that asked to close and sends no body is closed on at once, without lingering.
    expect(clientSendsNoMore('1.0', [])).to.equal(true);
    expect(clientSendsNoMore('1.1', [field('Connection', 'close')])).to.equal(true);
    expect(clientSendsNoMore('1.1', [field('Connection', 'close'), field('Content-Length', '3')])).to.equal(false);
    expect(clientSendsNoMore('1.1', [])).to.equal(false);
  });

  it('formats the Date once per second and puts head and body in one buffer', () => {
    const second = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(httpDate(second)).to.equal('Sun, 06 Nov 1994 08:49:37 GMT');
    expect(httpDate(second + 999)).to.equal('Sun, 06 Nov 1994 08:49:37 GMT');
    expect(httpDate(second + 1000)).to.equal('Sun, 06 Nov 1994 08:49:38 GMT');
    expect(responseBytes('HEAD\xe9\r\n\r\n', Buffer.from('body')).toString('latin1')).to.equal('HEAD\xe9\r\n\r\nbody');
    expect(responseBytes('HEAD\r\n\r\n').toString('latin1')).to.equal('HEAD\r\n\r\n');
  });

  it('escapes HTML in error pages', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const page = errorPage(404, 'The requested URL /<script>alert(1)</script> was not found').toString('utf8');
    expect(page).to.contain('<title>404 Not Found</title>').and.contain('/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.to.contain('<script>');
  });

  it('makes request lines safe to log', () => {
    expect(loggableRequestLine('GET / HTTP/1.1')).to.equal('GET / HTTP/1.1');
    expect(loggableRequestLine('GET /"\x1b[31m\n HTTP/1.1')).to.equal('GET /\\x22\\x1b[31m\\x0a HTTP/1.1');
    expect(loggableRequestLine('')).to.equal('-');
    expect(loggableRequestLine('x'.repeat(300))).to.equal(`${'x'.repeat(200)}...`);
  });

  it('picks Content-Type by extension, with charset for text and octet-stream by default', () => {
    expect(contentTypeFor('/r/HelloWorld.html')).to.equal('text/html; charset=utf-8');
    expect(contentTypeFor('INDEX.HTM')).to.equal('text/html; charset=utf-8');
    expect(contentTypeFor('a.css')).to.equal('text/css; charset=utf-8');
    expect(contentTypeFor('a.js')).to.equal('text/javascript; charset=utf-8');
    expect(contentTypeFor('a.txt')).to.equal('text/plain; charset=utf-8');
    expect(contentTypeFor('a.json')).to.equal('application/json; charset=utf-8');
    expect(contentTypeFor('a.svg')).to.equal('image/svg+xml; charset=utf-8');
    expect(contentTypeFor('a.png')).to.equal('image/png');
    expect(contentTypeFor('a.jpg')).to.equal('image/jpeg');
    expect(contentTypeFor('a.gif')).to.equal('image/gif');
    expect(contentTypeFor('a.ico')).to.equal('image/x-icon');
    expect(contentTypeFor('a.pdf')).to.equal('application/pdf');
    expect(contentTypeFor('archive.tar.gz')).to.equal('application/octet-stream');
    expect(contentTypeFor('Makefile')).to.equal('application/octet-stream');
  });

  it('parses the command line with defaults and refuses bad values', () => {
    expect(parseWebServerCommandLine(['8080'])).to.deep.equal({
      host: '127.0.0.1',
      port: 8080,
      root: undefined,
      once: false,
      headerTimeoutMs: 5000,
      idleTimeoutMs: 5000,
      maxRequests: 1000,
    });
    expect(
      parseWebServerCommandLine(['0', '--host', '::1', '--root', '/srv', '--once', '--header-timeout', '500ms', '--idle-timeout', '2m', '--max-requests', '7']),
    ).to.deep.equal({ host: '::1', port: 0, root: '/srv', once: true, headerTimeoutMs: 500, idleTimeoutMs: 120_000, maxRequests: 7 });
    expect(parseWebServerCommandLine(['--help'])).to.equal('help');
    expect(() => parseWebServerCommandLine([])).to.throw(UsageError, 'missing PORT');
    expect(() => parseWebServerCommandLine(['http'])).to.throw(UsageError, 'PORT: expected a port number 0–65535, got "http"');
    expect(() => parseWebServerCommandLine(['80', '--header-timeout', 'soon'])).to.throw(UsageError, '--header-timeout: expected a duration');
    expect(() => parseWebServerCommandLine(['80', '--bogus'])).to.throw(UsageError, "'--bogus'");
    expect(() => parseWebServerCommandLine(['80', '--idle-timeout', '0'])).to.throw(UsageError, '--idle-timeout: expected a duration above zero, got "0"');
    for (const bad of ['0', '1.5', 'many', '9999999999']) {
      expect(() => parseWebServerCommandLine(['80', '--max-requests', bad]), bad).to.throw(UsageError, `--max-requests: expected a whole number of at least 1, got "${bad}"`);
    }
  });
});
