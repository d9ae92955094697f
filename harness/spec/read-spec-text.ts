// Reads a spec file as UTF-8. Node's own decoding silently turns bad bytes into U+FFFD, so a file
// saved as Latin-1 would load with mangled text; here the first bad byte is a positioned error.
import { readFileSync } from 'node:fs';
import type { Diagnostic } from './diagnostics.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function readSpecText(file: string): { text: string; diagnostic?: Diagnostic } {
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8');
  try {
    strictUtf8.decode(bytes);
    return { text };
  } catch {
    const offset = firstInvalidByte(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
    const line = 1 + bytes.subarray(0, lineStart).filter((byte) => byte === 0x0a).length;
    // Everything before `offset` is valid UTF-8, so its decoded length is the column in characters.
    const column = 1 + bytes.subarray(lineStart, offset).toString('utf8').length;
    const byte = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    const message = `invalid UTF-8: byte 0x${byte} is not valid here; save the file as UTF-8`;
    return { text, diagnostic: { file, line, column, length: 1, path: '', message } };
  }
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidByte(bytes: Buffer): number {
  for (let offset = 0; offset < bytes.length; ) {
    const length = sequenceLength(bytes, offset);
    if (length === 0) return offset;
    offset += length;
  }
  return bytes.length;
}

function sequenceLength(bytes: Buffer, offset: number): number {
  const lead = bytes[offset];
  if (lead < 0x80) return 1;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || offset + length > bytes.length) return 0;
  const sequence = bytes.subarray(offset, offset + length);
  return strictDecodes(sequence) ? length : 0;
}

function strictDecodes(sequence: Uint8Array): boolean {
  try {
    strictUtf8.decode(sequence);
    return true;
  } catch {
    return false;
  }
}
