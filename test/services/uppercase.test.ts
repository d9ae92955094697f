import { expect } from 'chai';
import { uppercaseAscii } from '../../services/lib/common/uppercase.js';

function upper(text: string): string {
  return uppercaseAscii(Buffer.from(text, 'utf8')).toString('utf8');
}

describe('uppercaseAscii', () => {
  it('turns lowercase letters into uppercase', () => {
    expect(upper('hello world')).to.equal('HELLO WORLD');
  });

  it('uppercases only the lowercase letters of mixed text', () => {
    expect(upper('Hello, World: socket Programming')).to.equal('HELLO, WORLD: SOCKET PROGRAMMING');
  });

  it('leaves text that is already uppercase unchanged', () => {
    expect(upper('ALREADY UPPER')).to.equal('ALREADY UPPER');
  });

  it('leaves special characters such as &*! unchanged', () => {
    expect(upper('&*!@#$%^()[]{}`~')).to.equal('&*!@#$%^()[]{}`~');
  });

  it('leaves digits unchanged', () => {
    expect(upper('port 12000 and 0x7a')).to.equal('PORT 12000 AND 0X7A');
  });

  it('maps exactly the bytes 0x61–0x7a and no neighbours', () => {
    // "`" (0x60) and "{" (0x7b) sit right outside a–z and must survive.
    expect(uppercaseAscii(Buffer.from([0x60, 0x61, 0x7a, 0x7b]))).to.deep.equal(Buffer.from([0x60, 0x41, 0x5a, 0x7b]));
  });

  it('returns an empty buffer for empty input', () => {
    expect(uppercaseAscii(Buffer.alloc(0))).to.have.length(0);
  });

  it('leaves non-ASCII UTF-8 characters unchanged (no Unicode case mapping)', () => {
    const input = Buffer.from('aßé日本z', 'utf8');
    expect(uppercaseAscii(input)).to.deep.equal(Buffer.from('Aßé日本Z', 'utf8'));
    expect(upper('ßé日本')).to.equal('ßé日本');
  });

  it('leaves invalid UTF-8 bytes unchanged', () => {
    expect(uppercaseAscii(Buffer.from([0xff, 0xfe, 0x61, 0x80]))).to.deep.equal(Buffer.from([0xff, 0xfe, 0x41, 0x80]));
  });

  it('handles an 8 KiB line', () => {
    const line = Buffer.alloc(8192, 'abc-XYZ ');
    const result = uppercaseAscii(line);
    expect(result).to.have.length(8192);
    expect(result.equals(Buffer.alloc(8192, 'ABC-XYZ '))).to.equal(true);
  });

  it('does not modify its input', () => {
    const input = Buffer.from('keep me');
    uppercaseAscii(input);
    expect(input.toString()).to.equal('keep me');
  });
});
