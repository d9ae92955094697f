import { expect } from 'chai';
import { UsageError } from '../../services/lib/common/cli-args.js';
import { parseWebServerCommandLine } from '../../services/lib/web/command-line.js';
import { contentTypeFor } from '../../services/lib/web/content-types.js';
import {
  parseRequestHead,
  unfinishedHeadError,
  type HeadParseResult,
  type HttpRequest,
  type RequestError,
} from '../../services/lib/web/request-parser.js';
import { errorPage, escapeHtml, formatResponseHead, loggableRequestLine } from '../../services/lib/web/response.js';

function parse(text: string | Buffer, maxHeadBytes?: number): HeadParseResult {
  return parseRequestHead(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, { maxHeadBytes });
}

function parsedRequest(text: string): HttpRequest {
  const result = parse(text);
  if (result.outcome !== 'request') expect.fail(`expected a request, got ${JSON.stringify(result)}`);
  return result.request;
}

function refusal(text: string | Buffer, maxHeadBytes?: number): RequestError {
  const result = parse(text, maxHeadBytes);
  if (result.outcome !== 'error') expect.fail(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

const request = (target: string) => `GET ${target} HTTP/1.1\r\nHost: h\r\n\r\n`;

describe('web-server request parser', () => {
  describe('well-formed heads', () => {
    it('parses the request line, the header fields and the length of the head', () => {
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

    it('accepts HTTP/1.0 without headers, bare LF line ends and blank lines before the request line', () => {
      expect(parsedRequest('GET / HTTP/1.0\r\n\r\n').version).to.equal('1.0');
      expect(parsedRequest('GET /notes.txt HTTP/1.1\nHost: h\n\n').path.segments).to.deep.equal(['notes.txt']);
      expect(parsedRequest('\r\n\r\nHEAD / HTTP/1.1\r\n\r\n').method).to.equal('HEAD');
    });

    it('leaves judging the method to the server: POST and unknown upper-case methods parse', () => {
      expect(parsedRequest('POST /form HTTP/1.1\r\n\r\n').method).to.equal('POST');
      expect(parsedRequest('BREW /pot HTTP/1.1\r\n\r\n').method).to.equal('BREW');
    });

    it('says "incomplete" until the blank line arrives, including for no bytes at all', () => {
      expect(parse('')).to.deep.equal({ outcome: 'incomplete' });
      expect(parse('\r\n')).to.deep.equal({ outcome: 'incomplete' });
      expect(parse('GET / HTTP/1.1\r\nHost: h\r\n')).to.deep.equal({ outcome: 'incomplete' });
      expect(parse('GET / HTTP/1.1\r\nHost: h\r\n\r')).to.deep.equal({ outcome: 'incomplete' });
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

  describe('malformed heads are 400 with a typed error', () => {
    const cases: Array<[string, string, RequestError['code']]> = [
      ['garbage', 'garbage\r\n\r\n', 'bad-request-line'],
      ['binary garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n', 'bad-request-line'],
      ['a missing version (HTTP/0.9 style)', 'GET /\r\n\r\n', 'bad-request-line'],
      ['double spaces', 'GET  / HTTP/1.1\r\n\r\n', 'bad-request-line'],
      ['a trailing space', 'GET / HTTP/1.1 \r\n\r\n', 'bad-request-line'],
      ['a lower-case method', 'get / HTTP/1.1\r\n\r\n', 'bad-method'],
      ['a lower-case version', 'GET / http/1.1\r\n\r\n', 'bad-version'],
      ['a version without minor number', 'GET / HTTP/1\r\n\r\n', 'bad-version'],
      ['a NUL byte in the request line', 'GET /a\0b HTTP/1.1\r\n\r\n', 'bad-request-line'],
      ['a bare CR in the request line', 'GET /a\rb HTTP/1.1\r\n\r\n', 'bad-request-line'],
      ['a header line without colon', 'GET / HTTP/1.1\r\nHost localhost\r\n\r\n', 'bad-header'],
      ['a space before the colon', 'GET / HTTP/1.1\r\nHost : h\r\n\r\n', 'bad-header'],
      ['an empty header name', 'GET / HTTP/1.1\r\n: value\r\n\r\n', 'bad-header'],
      ['obsolete line folding', 'GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\n\r\n', 'bad-header'],
      ['a NUL byte in a header value', 'GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n', 'bad-header'],
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
    for (const [what, text, code] of cases) {
      it(`refuses ${what}`, () => {
        const error = refusal(text);
        expect(error.code).to.equal(code);
        expect(error.status).to.equal(400);
        expect(error.message).to.be.a('string').and.not.equal('');
      });
    }

    it('keeps the received request line for the log', () => {
      expect(refusal('get /x HTTP/1.1\r\n\r\n').requestLine).to.equal('get /x HTTP/1.1');
    });

    it('names the offending header line in the message', () => {
      expect(refusal('GET / HTTP/1.1\r\nHost localhost\r\n\r\n').message).to.contain('"Host localhost"');
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

  describe('versions and limits', () => {
    it('answers a well-formed but unsupported version with 505', () => {
      for (const version of ['HTTP/2.0', 'HTTP/0.9', 'HTTP/1.2']) {
        const error = refusal(`GET / ${version}\r\n\r\n`);
        expect(error, version).to.include({ code: 'unsupported-version', status: 505 });
      }
    });

    it('refuses a head over the limit with 431, complete or not', () => {
      const big = `GET / HTTP/1.1\r\nX-Filler: ${'a'.repeat(2000)}\r\n`;
      expect(refusal(big, 1024)).to.include({ code: 'head-too-large', status: 431, requestLine: 'GET / HTTP/1.1' });
      expect(refusal(`${big}\r\n`, 1024)).to.include({ code: 'head-too-large', status: 431 });
      expect(parse(`${big}\r\n`, 4096).outcome).to.equal('request');
    });

    it('bounds the default limit at 16 KiB', () => {
      const head = (fillerLength: number) => `GET / HTTP/1.1\r\nX-Filler: ${'a'.repeat(fillerLength)}\r\n\r\n`;
      const overhead = head(0).length;
      expect(parse(head(16 * 1024 - overhead)).outcome).to.equal('request');
      expect(refusal(head(16 * 1024 - overhead + 1)).status).to.equal(431);
      expect(refusal(Buffer.alloc(20_000, 0x61)).status).to.equal(431);
    });

    it('describes heads that never finished: cut off by FIN (400) or by the timeout (408)', () => {
      const partial = Buffer.from('GET /slow HTTP/1.1\r\nHost: h\r\n');
      expect(unfinishedHeadError(partial, 'closed')).to.include({ code: 'incomplete-head', status: 400, requestLine: 'GET /slow HTTP/1.1' });
      const timedOut = unfinishedHeadError(partial, 'timeout', '5s');
      expect(timedOut).to.include({ code: 'head-timeout', status: 408 });
      expect(timedOut.message).to.contain('within 5s');
    });
  });
});

describe('web-server responses and command line', () => {
  it('formats the status line and header fields with an IMF-fixdate', () => {
    const head = formatResponseHead({ status: 404, contentType: 'text/html; charset=utf-8', contentLength: 12, date: new Date(Date.UTC(1994, 10, 6, 8, 49, 37)) });
    expect(head.toString('latin1')).to.equal(
      'HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 12\r\n' +
        'Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: socklab-web-server\r\nConnection: close\r\n\r\n',
    );
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
    expect(parseWebServerCommandLine(['8080'])).to.deep.equal({ host: '127.0.0.1', port: 8080, root: undefined, once: false, headerTimeoutMs: 5000 });
    expect(parseWebServerCommandLine(['0', '--host', '::1', '--root', '/srv', '--once', '--header-timeout', '500ms'])).to.deep.equal({
      host: '::1',
      port: 0,
      root: '/srv',
      once: true,
      headerTimeoutMs: 500,
    });
    expect(parseWebServerCommandLine(['--help'])).to.equal('help');
    expect(() => parseWebServerCommandLine([])).to.throw(UsageError, 'missing PORT');
    expect(() => parseWebServerCommandLine(['http'])).to.throw(UsageError, 'PORT: expected a port number 0–65535, got "http"');
    expect(() => parseWebServerCommandLine(['80', '--header-timeout', 'soon'])).to.throw(UsageError, '--header-timeout: expected a duration');
    expect(() => parseWebServerCommandLine(['80', '--bogus'])).to.throw(UsageError, "'--bogus'");
  });
});
