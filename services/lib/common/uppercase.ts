// The lab's transformation: ASCII a–z become A–Z, every other byte passes through untouched.
//
// Why bytes and not String.prototype.toUpperCase:
// - toUpperCase is Unicode-aware ("ß" → "SS", "é" → "É"), which changes lengths and alters characters
//   the lab says must stay as they are; Python 3's bytes.upper() is ASCII-only too.
// - A TCP stream arrives in arbitrary chunks, so decoding each chunk as UTF-8 could split a multi-byte
//   sequence and corrupt it. A byte-wise map is safe at any chunk boundary and for non-UTF-8 input.

const LOWERCASE_A = 0x61;
const LOWERCASE_Z = 0x7a;
const CASE_DISTANCE = 0x20; // 'a' - 'A'

export function isLowercaseAsciiLetter(byte: number): boolean {
  return byte >= LOWERCASE_A && byte <= LOWERCASE_Z;
}

/** Returns a new buffer; the input is not modified (callers may still hold it, e.g. for logging). */
export function uppercaseAscii(bytes: Buffer): Buffer {
  const result = Buffer.allocUnsafe(bytes.length);
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    result[index] = isLowercaseAsciiLetter(byte) ? byte - CASE_DISTANCE : byte;
  }
  return result;
}
