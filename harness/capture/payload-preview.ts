// Payload bytes as one printable line: readable text stays, line breaks and other control bytes are
// escaped so that a preview never breaks a report's layout.

export const PREVIEW_MAX_CHARS = 120;

const ESCAPES: Record<number, string> = { 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x5c: '\\\\' };

export function payloadPreview(payload: Buffer, maxChars = PREVIEW_MAX_CHARS): string {
  const pieces: string[] = [];
  let length = 0;
  for (const byte of payload) {
    const piece = ESCAPES[byte] ?? (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`);
    pieces.push(piece);
    length += piece.length;
    if (length > maxChars) {
      // Too long: drop whole pieces (never half an escape) until the ellipsis fits.
      while (length > maxChars - 1) length -= pieces.pop()!.length;
      return `${pieces.join('')}…`;
    }
  }
  return pieces.join('');
}

/** The first line of a text payload (without its line ending), for HTTP and SMTP lines. */
export function firstLine(payload: Buffer, maxChars = PREVIEW_MAX_CHARS): string {
  const end = payload.indexOf(0x0a);
  const line = payload.subarray(0, end === -1 ? payload.length : end);
  const trimmed = line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
  return payloadPreview(trimmed, maxChars);
}
