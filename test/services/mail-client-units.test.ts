import { expect } from 'chai';
import { UsageError } from '../../services/lib/common/cli-args.js';
import { chooseAuthMechanism, isLoopbackAddress } from '../../services/lib/smtp/auth.js';
import { parseMailClientCommandLine } from '../../services/lib/smtp/command-line.js';
import { dataPayload, encodeQuotedPrintable, encodeWordsBase64, normaliseLineEnds } from '../../services/lib/smtp/encoding.js';
import { buildMessage, foldHeader, formatMessageDate } from '../../services/lib/smtp/message.js';
import { formatReply, parseCapabilities, SmtpProtocolError, SmtpReplyParser } from '../../services/lib/smtp/reply.js';

// The pieces of mail-client that need no socket: reply parsing, encodings, the message, the command line.

describe('mail-client building blocks', () => {
  describe('SmtpReplyParser', () => {
    it('completes a multi-line reply only at its last line, across chunks split anywhere', () => {
      const parser = new SmtpReplyParser();
      expect(parser.push(Buffer.from('250-first\r\n25'))).to.deep.equal([]);
      expect(parser.isIdle).to.equal(false);
      expect(parser.push(Buffer.from('0-second\r'))).to.deep.equal([]);
      const [reply] = parser.push(Buffer.from('\n250 last\r\n'));
      expect(reply).to.deep.equal({ code: 250, lines: ['first', 'second', 'last'], rawLines: ['250-first', '250-second', '250 last'] });
      expect(parser.isIdle).to.equal(true);
    });

    it('returns several replies from one chunk, in order, and accepts a bare code', () => {
      const replies = new SmtpReplyParser().push(Buffer.from('250 ok\r\n354\r\n221 bye\n'));
      expect(replies.map(formatReply)).to.deep.equal(['250 ok', '354', '221 bye']);
    });

    it('rejects lines without a code, and a multi-line reply that changes its code', () => {
      expect(() => new SmtpReplyParser().push(Buffer.from('hello\r\n'))).to.throw(SmtpProtocolError, 'unexpected reply line "hello"');
      expect(() => new SmtpReplyParser().push(Buffer.from('250-a\r\n550 b\r\n'))).to.throw(SmtpProtocolError, 'changes the code');
    });

    it('reads EHLO keywords and parameters, skipping the greeting line', () => {
      const [ehlo] = new SmtpReplyParser().push(Buffer.from('250-mx.example Hello\r\n250-SIZE 1000\r\n250-auth=login plain\r\n250 STARTTLS\r\n'));
      const capabilities = parseCapabilities(ehlo!);
      expect([...capabilities.keys()]).to.deep.equal(['SIZE', 'AUTH', 'STARTTLS']);
      expect(chooseAuthMechanism(capabilities)).to.equal('PLAIN');
      expect(chooseAuthMechanism(new Map([['AUTH', ['CRAM-MD5']]]))).to.equal(undefined);
    });
  });

  describe('encodings', () => {
    it('turns LF, CRLF and lone CR into CRLF', () => {
      expect(normaliseLineEnds(Buffer.from('a\nb\r\nc\rd')).toString()).to.equal('a\r\nb\r\nc\r\nd');
    });

    it('dot-stuffs every line starting with "." and ends with CRLF.CRLF', () => {
      expect(dataPayload(Buffer.from('.a\r\nb.\r\n..\r\n.')).toString()).to.equal('..a\r\nb.\r\n...\r\n..\r\n.\r\n');
    });

    it('quoted-printable: =XX for non-ASCII and "=", encoded trailing space, soft breaks at 76', () => {
      expect(encodeQuotedPrintable(Buffer.from('é = x \r\n')).toString()).to.equal('=C3=A9 =3D x=20\r\n');
      const wrapped = encodeQuotedPrintable(Buffer.from('y'.repeat(200))).toString().split('\r\n');
      expect(wrapped.map((line) => line.length)).to.deep.equal([76, 76, 50]);
      expect(wrapped.join('').replace(/=/g, '')).to.equal('y'.repeat(200));
    });

    it('RFC 2047: encoded-words of at most 75 characters that never split a character', () => {
      const subject = 'ü'.repeat(40);
      const words = encodeWordsBase64(subject).split(' ');
      expect(words.length).to.be.greaterThan(1);
      for (const word of words) expect(word.length).to.be.at.most(75);
      const decoded = words.map((word) => Buffer.from(word.slice(10, -2), 'base64').toString('utf8')).join('');
      expect(decoded).to.equal(subject);
    });
  });

  describe('the message', () => {
    it('formats dates as RFC 5322 says', () => {
      expect(formatMessageDate(new Date(2025, 5, 3, 4, 5, 9))).to.match(/^Tue, 03 Jun 2025 04:05:09 [+-]\d{4}$/);
    });

    it('folds long headers at spaces, never right after the name', () => {
      const folded = foldHeader(`To: ${Array.from({ length: 8 }, (_, index) => `person${index}@example.com`).join(', ')}`);
      for (const line of folded.split('\r\n')) expect(line.length).to.be.at.most(78);
      expect(folded.replace(/\r\n /g, ' ')).to.include('person0@example.com, person1');
      expect(foldHeader(`Subject: ${'x'.repeat(90)}`)).to.not.include('\r\n');
    });

    it('chooses 7bit, 8bit or quoted-printable from the body and 8BITMIME', () => {
      const build = (body: string, eightBitMime: boolean) =>
        buildMessage({ from: 'a@b', to: ['c@d'], subject: 's', body: Buffer.from(body), heloName: 'h', eightBitMime }).transferEncoding;
      expect(build('plain', false)).to.equal('7bit');
      expect(build('grün', true)).to.equal('8bit');
      expect(build('grün', false)).to.equal('quoted-printable');
      expect(build('z'.repeat(1200), true), 'a line over 998 bytes').to.equal('quoted-printable');
    });
  });

  describe('loopback and command line', () => {
    it('knows loopback addresses', () => {
      for (const address of ['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address), address).to.equal(true);
      for (const address of ['10.0.0.1', '::', '::11', '128.0.0.1', '::ffff:10.0.0.1']) expect(isLoopbackAddress(address), address).to.equal(false);
    });

    it('parses repeated --to, reads the password from the named variable, defaults the timeout to 30s', () => {
      const parsed = parseMailClientCommandLine(
        ['--server', 'mx', '--port', '587', '--from', 'a@b', '--to', 'c@d', '--to', 'e@f', '--user', 'u', '--password-env', 'PW', '--starttls'],
        { PW: 'pass word' },
      );
      expect(parsed).to.include({ server: 'mx', port: 587, timeoutMs: 30_000, startTls: true });
      expect(parsed).to.have.property('to').that.deep.equals(['c@d', 'e@f']);
      expect(parsed).to.have.property('credentials').that.deep.equals({ user: 'u', password: 'pass word' });
    });

    it('rejects contradictions and header injection', () => {
      const base = ['--server', 'mx', '--port', '25', '--from', 'a@b', '--to', 'c@d'];
      expect(() => parseMailClientCommandLine([...base, '--insecure'], {})).to.throw(UsageError, '--insecure only applies together with --starttls');
      expect(() => parseMailClientCommandLine([...base, '--subject', 'hi\r\nBcc: x@y'], {})).to.throw(UsageError, '--subject: expected one line');
      expect(() => parseMailClientCommandLine([...base, '--user', 'u'], {})).to.throw(UsageError, '--user needs --password-env VAR');
      expect(() => parseMailClientCommandLine([...base, '--helo', 'bad name'], {})).to.throw(UsageError, '--helo: expected a domain name');
    });
  });
});
