import { expect } from 'chai';
import { findHeadEnd, locateHead } from '../../services/lib/http/find-head.js';
import { parseHeaderFields } from '../../services/lib/http/header-fields.js';
import {
  parseRequestHead,
  unfinishedHeadError,
  type HeadParseResult,
  type RequestError,
  type RequestHead,
} from '../../services/lib/http/request-head.js';
import { itRefusesEach, type RefusalCase } from './support/refusal-cases.js';

// The one request-head parser behind the web server and the proxy, and the head-finding and
// header-field grammar it shares with the proxy's reading of origin responses.

function parse(text: string | Buffer, maxHeadBytes?: number): HeadParseResult {
  return parseRequestHead(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, { maxHeadBytes });
}

function parsedRequest(text: string): RequestHead {
  const result = parse(text);
  if (result.outcome !== 'request') expect.fail(`expected a request, got ${JSON.stringify(result)}`);
  return result.request;
}

function refusal(text: string | Buffer, maxHeadBytes?: number): RequestError {
  const result = parse(text, maxHeadBytes);
  if (result.outcome !== 'error') expect.fail(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('http request head parser', () => {
  describe('well-formed heads', () => {
    it('parses the request line, the header fields and the length of the head', () => {
      const text = 'GET http://example.org/a?b HTTP/1.1\r\nHost: example.org\r\nUser-Agent:  curl/8 \t\r\n\r\nBODY';
      expect(parse(text)).to.deep.equal({
        outcome: 'request',
        headLength: text.length - 'BODY'.length,
        request: {
          method: 'GET',
          target: 'http://example.org/a?b',
          version: '1.1',
          headers: [
            { name: 'Host', value: 'example.org' },
            { name: 'User-Agent', value: 'curl/8' },
          ],
          requestLine: 'GET http://example.org/a?b HTTP/1.1',
        },
      });
    });

    it('accepts HTTP/1.0 without headers, bare LF line ends and blank lines before the request line', () => {
      expect(parsedRequest('GET / HTTP/1.0\r\n\r\n').version).to.equal('1.0');
      expect(parsedRequest('GET /notes.txt HTTP/1.1\nHost: h\n\n').headers).to.deep.equal([{ name: 'Host', value: 'h' }]);
      expect(parsedRequest('\r\n\r\nHEAD / HTTP/1.1\r\n\r\n').method).to.equal('HEAD');
    });

    it('leaves judging the method to the program: POST and unknown upper-case methods parse', () => {
      expect(parsedRequest('POST /form HTTP/1.1\r\n\r\n').method).to.equal('POST');
      expect(parsedRequest('BREW /pot HTTP/1.1\r\n\r\n').method).to.equal('BREW');
      expect(parsedRequest('M-SEARCH * HTTP/1.1\r\n\r\n').method).to.equal('M-SEARCH');
    });

    it('leaves interpreting the target to the program: any word of printable ASCII parses', () => {
      for (const target of ['/a/../b', '*', 'example.com:443', 'http://h/%zz', '/www.example.com/index.html']) {
        expect(parsedRequest(`GET ${target} HTTP/1.1\r\n\r\n`).target).to.equal(target);
      }
    });

    it('keeps repeated fields apart and in order, and every byte of a value', () => {
      const request = parsedRequest('GET / HTTP/1.1\r\nVia: 1.1 a\r\nAccept: */*\r\nvia: 1.0 b\r\nX-Latin: \xa0caf\xe9\xa0\r\n\r\n');
      expect(request.headers).to.deep.equal([
        { name: 'Via', value: '1.1 a' },
        { name: 'Accept', value: '*/*' },
        { name: 'via', value: '1.0 b' },
        // Only spaces and tabs are optional whitespace: a no-break space (0xa0) is part of the value.
        { name: 'X-Latin', value: '\xa0caf\xe9\xa0' },
      ]);
    });

    it('says "incomplete" until the blank line arrives, including for no bytes at all', () => {
      expect(parse('')).to.deep.equal({ outcome: 'incomplete' });
      expect(parse('\r\n')).to.deep.equal({ outcome: 'incomplete' });
      expect(parse('GET / HTTP/1.1\r\nHost: h\r\n')).to.deep.equal({ outcome: 'incomplete' });
      expect(parse('GET / HTTP/1.1\r\nHost: h\r\n\r')).to.deep.equal({ outcome: 'incomplete' });
    });
  });

  describe('malformed heads are 400 with a typed error', () => {
    const cases: Array<RefusalCase<RequestError['code']>> = [
      ['garbage', 'garbage\r\n\r\n', 'bad-request-line'],
      ['binary garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n', 'bad-request-line'],
      ['a missing version (HTTP/0.9 style)', 'GET /\r\n\r\n', 'bad-request-line'],
      ['double spaces', 'GET  / HTTP/1.1\r\n\r\n', 'bad-request-line'],
      ['a trailing space', 'GET / HTTP/1.1 \r\n\r\n', 'bad-request-line'],
      ['a lower-case method', 'get / HTTP/1.1\r\n\r\n', 'bad-method'],
      ['a method that is not a token', 'G(T / HTTP/1.1\r\n\r\n', 'bad-method'],
      ['a lower-case version', 'GET / http/1.1\r\n\r\n', 'bad-version'],
      ['a version without minor number', 'GET / HTTP/1\r\n\r\n', 'bad-version'],
      ['a NUL byte in the request line', 'GET /a\0b HTTP/1.1\r\n\r\n', 'bad-request-line'],
      ['a bare CR in the request line', 'GET /a\rb HTTP/1.1\r\n\r\n', 'bad-request-line'],
      ['a tab in the request line', 'GET /a\tb HTTP/1.1\r\n\r\n', 'bad-target'],
      ['raw non-ASCII in the target', 'GET /caf\xe9.html HTTP/1.1\r\nHost: h\r\n\r\n', 'bad-target'],
      ['a header line without colon', 'GET / HTTP/1.1\r\nHost localhost\r\n\r\n', 'bad-header'],
      ['a space before the colon', 'GET / HTTP/1.1\r\nHost : h\r\n\r\n', 'bad-header'],
      ['an empty header name', 'GET / HTTP/1.1\r\n: value\r\n\r\n', 'bad-header'],
      ['obsolete line folding', 'GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\n\r\n', 'bad-header'],
      ['a NUL byte in a header value', 'GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n', 'bad-header'],
      ['a bare CR in a header value', 'GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n', 'bad-header'],
    ];
    itRefusesEach(cases, refusal);

    it('keeps the received request line for the log', () => {
      expect(refusal('get /x HTTP/1.1\r\n\r\n').requestLine).to.equal('get /x HTTP/1.1');
    });

    it('names method and target once the request line got that far', () => {
      expect(refusal('NONSENSE\r\n\r\n').seen).to.equal(undefined);
      expect(refusal('get /x HTTP/1.1\r\n\r\n').seen).to.equal(undefined);
      expect(refusal('GET /x HTTP/2.0\r\n\r\n').seen).to.deep.equal({ method: 'GET', target: '/x' });
      expect(refusal('GET /x HTTP/1.1\r\nBad Header: x\r\n\r\n').seen).to.deep.equal({ method: 'GET', target: '/x' });
    });

    it('names the offending header line in the message, control bytes escaped', () => {
      expect(refusal('GET / HTTP/1.1\r\nHost localhost\r\n\r\n').message).to.contain('"Host localhost"');
      expect(refusal('GET / HTTP/1.1\r\n\x1b[31mX\r\n\r\n').message).to.contain('"\\x1b[31mX"');
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

describe('http head finding and header fields', () => {
  it('finds the end of a head with CRLF or bare LF line ends', () => {
    expect(findHeadEnd(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\nbody'))).to.equal(27);
    expect(findHeadEnd(Buffer.from('GET / HTTP/1.1\nHost: a\n\nbody'))).to.equal(24);
    expect(findHeadEnd(Buffer.from('GET / HTTP/1.1\r\nHost: a\n\r\nbody'))).to.equal(26);
    expect(findHeadEnd(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n'))).to.equal(-1);
  });

  it('skips blank lines before the start line instead of taking them for an empty head', () => {
    expect(findHeadEnd(Buffer.from('\r\n\r\n'))).to.equal(-1);
    expect(findHeadEnd(Buffer.from('\r\n\nGET / HTTP/1.1\r\n\r\n'))).to.equal(21);
  });

  it('says "too-large" as soon as the blank line can no longer arrive within the limit', () => {
    expect(locateHead(Buffer.from('GET / HTTP/1.1\r\n'), 17)).to.equal('incomplete');
    expect(locateHead(Buffer.from('GET / HTTP/1.1\r\n\r'), 17)).to.equal('too-large');
    expect(locateHead(Buffer.from('GET / HTTP/1.1\r\n\r\n'), 18)).to.deep.equal({ start: 0, linesEnd: 15, end: 18 });
    expect(locateHead(Buffer.from('GET / HTTP/1.1\r\n\r\n'), 17)).to.equal('too-large');
  });

  it('refuses folded lines by default and joins them with a space when allowed (origin responses)', () => {
    const lines = ['X-Long: one', ' \ttwo ', '\tthree', 'Via: 1.1 a'];
    expect(parseHeaderFields(lines)).to.deep.include({ ok: false });
    expect(parseHeaderFields(lines, { allowFolding: true })).to.deep.equal({
      ok: true,
      headers: [
        { name: 'X-Long', value: 'one two three' },
        { name: 'Via', value: '1.1 a' },
      ],
    });
    expect(parseHeaderFields([' starts folded'], { allowFolding: true })).to.deep.include({ ok: false });
    expect(parseHeaderFields(['X-A: 1', ' a\0b'], { allowFolding: true })).to.deep.include({ ok: false });
  });
});
