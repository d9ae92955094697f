import { expect } from 'chai';
import { PipelinedHeads, type NextHead } from '../../services/lib/http/pipelined-heads.js';
import { parseLocatedRequestHead } from '../../services/lib/http/request-head.js';

// Splitting the bytes of one connection into request heads: however the client's writes were cut
// into segments, the same heads come out, in order, each exactly once.

const bytes = (text: string) => Buffer.from(text, 'latin1');

function targets(heads: PipelinedHeads): string[] {
  const found: string[] = [];
  for (let next = heads.take(); next.outcome === 'head'; next = heads.take()) {
    const parsed = parseLocatedRequestHead(next.bytes, next.bounds);
    if (parsed.outcome !== 'request') expect.fail(`expected a request, got ${JSON.stringify(parsed)}`);
    found.push(`${parsed.request.method} ${parsed.request.target}`);
  }
  return found;
}

const PIPELINE = 'GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\n\r\n\r\nGET /c HTTP/1.0\n\nGET /d HTTP/1.1\r\n';

describe('PipelinedHeads: request heads one after the other on one connection', () => {
  it('hands out every complete head of one segment in order, skips blank lines between them, and keeps the rest', () => {
    const heads = new PipelinedHeads(16 * 1024);
    heads.push(bytes(PIPELINE));
    expect(targets(heads)).to.deep.equal(['GET /a', 'HEAD /b', 'GET /c']);
    expect(heads.received.toString('latin1')).to.equal('GET /d HTTP/1.1\r\n');
    expect(heads.begun).to.equal(true);
    heads.push(bytes('\r\n'));
    expect(targets(heads)).to.deep.equal(['GET /d']);
    expect([heads.bufferedBytes, heads.begun]).to.deep.equal([0, false]);
  });

  it('finds the same heads whatever the segment boundaries, down to one byte per segment', () => {
    for (const size of [1, 2, 3, 7, 16, 50]) {
      const heads = new PipelinedHeads(16 * 1024);
      const found: string[] = [];
      for (let start = 0; start < PIPELINE.length; start += size) {
        heads.push(bytes(PIPELINE.slice(start, start + size)));
        found.push(...targets(heads));
      }
      expect(found, `segments of ${size} bytes`).to.deep.equal(['GET /a', 'HEAD /b', 'GET /c']);
    }
  });

  it('hands out the bytes of the head alone, ending with its blank line', () => {
    const heads = new PipelinedHeads(16 * 1024);
    heads.push(bytes('\r\nGET /a HTTP/1.1\r\n\r\nGET /b'));
    const next = heads.take() as Extract<NextHead, { outcome: 'head' }>;
    expect(next.bytes.toString('latin1')).to.equal('\r\nGET /a HTTP/1.1\r\n\r\n');
    expect(next.bounds).to.deep.equal({ start: 2, linesEnd: 18, end: 21 });
  });

  it('says "too-large" once the next head cannot end within the limit, with what came of it', () => {
    const heads = new PipelinedHeads(64);
    heads.push(bytes(`GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nX-Filler: ${'x'.repeat(60)}`));
    expect(targets(heads)).to.deep.equal(['GET /a']);
    const next = heads.take();
    expect(next.outcome).to.equal('too-large');
    expect((next as { received: Buffer }).received.toString('latin1')).to.match(/^GET \/b HTTP\/1\.1\r\nX-Filler: x+$/);
  });

  it('counts only line ends as "not begun": a probe, or the CRLF some clients send after a request', () => {
    const heads = new PipelinedHeads(1024);
    expect([heads.take().outcome, heads.begun]).to.deep.equal(['incomplete', false]);
    heads.push(bytes('\r\n\n'));
    expect([heads.take().outcome, heads.begun]).to.deep.equal(['incomplete', false]);
    heads.push(bytes('G'));
    expect(heads.begun).to.equal(true);
  });
});
