// HTTP body expectations on hand-built exchanges: `trailingCrlf` forgives the handout skeleton's
// "\r\n" after the file, and only that.
import { expect } from 'chai';
import { evaluateHttp } from '../../harness/expect/http-expectations.js';
import type { HttpExchange } from '../../harness/probes/http-request.js';
import { TempDir } from '../support/temp-dir.js';

const exchangeOf = (body: string): HttpExchange => ({ ok: true, status: 200, headers: {}, body: Buffer.from(body, 'latin1'), bodyTruncated: false, error: null, durationMs: 3 });
const bodyChecks = (checks: Array<{ name: string; ok: boolean; actual?: string }>) => checks.filter((check) => check.name.startsWith('body'));

describe('http body expectations', () => {
  let temp: TempDir;
  let page: string;
  before(() => {
    temp = new TempDir();
    page = temp.write('HelloWorld.html', '<html>hi</html>\n');
  });
  after(() => temp.remove());

  it('file: the same bytes pass; one extra CRLF passes only with trailingCrlf', () => {
    expect(bodyChecks(evaluateHttp({ body: { file: page } }, exchangeOf('<html>hi</html>\n'))).map((check) => check.ok)).to.deep.equal([true]);
    expect(bodyChecks(evaluateHttp({ body: { file: page } }, exchangeOf('<html>hi</html>\n\r\n'))).map((check) => check.ok)).to.deep.equal([false]);
    const forgiven = bodyChecks(evaluateHttp({ body: { file: page, trailingCrlf: true } }, exchangeOf('<html>hi</html>\n\r\n')));
    expect(forgiven.map((check) => [check.ok, check.actual])).to.deep.equal([[true, 'identical, then a CRLF']]);
    // Anything else after the file still fails.
    expect(bodyChecks(evaluateHttp({ body: { file: page, trailingCrlf: true } }, exchangeOf('<html>hi</html>\nX\r\n'))).map((check) => check.ok)).to.deep.equal([false]);
  });

  it('equals: one extra CRLF passes only with trailingCrlf', () => {
    const wanted = '<html>hi</html>\n';
    expect(bodyChecks(evaluateHttp({ body: { equals: wanted } }, exchangeOf(`${wanted}\r\n`))).every((check) => check.ok)).to.equal(false);
    expect(bodyChecks(evaluateHttp({ body: { equals: wanted, trailingCrlf: true } }, exchangeOf(`${wanted}\r\n`))).every((check) => check.ok)).to.equal(true);
    expect(bodyChecks(evaluateHttp({ body: { equals: wanted, trailingCrlf: true } }, exchangeOf(`${wanted}more\r\n`))).every((check) => check.ok)).to.equal(false);
  });
});
