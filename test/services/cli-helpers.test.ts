import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { parseClientCommandLine, parseServerCommandLine, UsageError } from '../../services/lib/common/cli-args.js';
import { describeError } from '../../services/lib/common/describe-error.js';
import { formatDuration, parseDuration } from '../../services/lib/common/duration.js';
import { readFirstLine } from '../../services/lib/common/read-line.js';

describe('services/lib helpers', () => {
  describe('parseDuration', () => {
    it('reads seconds, milliseconds, minutes and plain numbers as seconds', () => {
      expect(parseDuration('3s')).to.equal(3000);
      expect(parseDuration('500ms')).to.equal(500);
      expect(parseDuration('1.5s')).to.equal(1500);
      expect(parseDuration('2m')).to.equal(120_000);
      expect(parseDuration('2')).to.equal(2000);
    });

    it('rejects text that is not a duration and zero', () => {
      expect(() => parseDuration('soon')).to.throw('expected a duration such as 3s, 500ms, 2m or 5 (seconds), got "soon"');
      expect(() => parseDuration('0s')).to.throw('above zero');
    });

    it('formats whole seconds as s and the rest as ms', () => {
      expect(formatDuration(2000)).to.equal('2s');
      expect(formatDuration(1500)).to.equal('1500ms');
    });
  });

  describe('readFirstLine', () => {
    it('stops at the first newline and strips a carriage return before it', async () => {
      const input = new PassThrough();
      const line = readFirstLine(input);
      input.write(Buffer.from('first li'));
      input.write(Buffer.from('ne\r\nsecond line\n'));
      expect((await line).toString()).to.equal('first line');
    });

    it('uses everything read when the input ends without a newline', async () => {
      const input = new PassThrough();
      const line = readFirstLine(input);
      input.end(Buffer.from('no newline'));
      expect((await line).toString()).to.equal('no newline');
    });

    it('keeps bytes that are not UTF-8', async () => {
      const input = new PassThrough();
      const line = readFirstLine(input);
      input.end(Buffer.from([0xff, 0xfe, 0x61, 0x0a, 0x62]));
      expect(await line).to.deep.equal(Buffer.from([0xff, 0xfe, 0x61]));
    });
  });

  describe('command lines', () => {
    it('accepts the server port as an argument or as --port, with 127.0.0.1 as the default host', () => {
      expect(parseServerCommandLine(['5000'])).to.deep.equal({ host: '127.0.0.1', port: 5000 });
      expect(parseServerCommandLine(['--port', '5000', '--host', '0.0.0.0'])).to.deep.equal({ host: '0.0.0.0', port: 5000 });
    });

    it('names the argument, the expectation and the value in usage errors', () => {
      expect(() => parseServerCommandLine(['http'])).to.throw(UsageError, 'PORT: expected a port number 0–65535, got "http"');
      expect(() => parseClientCommandLine(['127.0.0.1', '0'])).to.throw(UsageError, 'PORT: expected a port number 1–65535, got "0"');
      expect(() => parseClientCommandLine(['127.0.0.1'])).to.throw(UsageError, 'missing PORT');
      expect(() => parseServerCommandLine(['1', '--port', '2'])).to.throw(UsageError, 'PORT given twice');
    });

    it('parses client options into bytes and milliseconds', () => {
      const parsed = parseClientCommandLine(['localhost', '12000', '--message', 'hé', '--timeout', '2s']);
      expect(parsed).to.deep.equal({ host: 'localhost', port: 12000, message: Buffer.from('hé', 'utf8'), timeoutMs: 2000 });
    });
  });

  describe('describeError', () => {
    it('names the code and its meaning', () => {
      expect(describeError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).to.equal('ECONNREFUSED (connection refused)');
    });

    it('takes the code of the first attempt of an AggregateError', () => {
      const attempt = Object.assign(new Error('x'), { code: 'ECONNRESET' });
      expect(describeError(new AggregateError([attempt]))).to.equal('ECONNRESET (connection reset by peer)');
    });
  });
});
