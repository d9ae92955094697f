// What an application protocol on TCP makes of a segment's new bytes, as Wireshark's Info column tells
// it: a whole message (the row becomes HTTP or SMTP), a piece of one still being reassembled (the row
// stays TCP, marked "[TCP segment of a reassembled PDU]"), or nothing to say (a plain TCP row).
import type { TcpSegmentFacts } from './tcp-analysis.js';

export type ApplicationVerdict =
  | { kind: 'message'; protocol: string; info: string }
  /** `firstLine`: the message starts in this segment, and Wireshark shows its first line already. */
  | { kind: 'segment'; firstLine?: string }
  | undefined;

export interface ApplicationDecoder {
  segment(facts: TcpSegmentFacts): ApplicationVerdict;
}

export const REASSEMBLED = '[TCP segment of a reassembled PDU]';

/** The first line of some bytes, without its line ending, as latin1 text. */
export function firstLineOf(bytes: Buffer): string {
  const end = bytes.indexOf(0x0a);
  return bytes
    .subarray(0, end === -1 ? bytes.length : end)
    .toString('latin1')
    .replace(/\r$/, '');
}

/** Lines of a text payload, each without its line ending; a last line without one is kept. */
export function linesOf(bytes: Buffer): string[] {
  const lines = bytes.toString('latin1').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => line.replace(/\r$/, ''));
}

/**
 * What Wireshark's media dissectors add after a message whose body has this Content-Type: ` (text/html)`,
 * ` (PNG)`, or the protocol it switches to for JSON.
 */
export function mediaSuffix(contentType: string | undefined, bodyStart: Buffer): { suffix: string; protocol?: string } {
  if (!contentType) return { suffix: '' };
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'application/octet-stream' || type === '') return { suffix: '' };
  if (type === 'image/png' && bodyStart.subarray(0, 8).equals(PNG_SIGNATURE)) return { suffix: ' (PNG)' };
  if (type === 'image/jpeg' && bodyStart.length >= 20 && bodyStart[0] === 0xff && bodyStart[1] === 0xd8) return { suffix: ' (JPEG JFIF image)' };
  if (type === 'application/json') return { suffix: ', JavaScript Object Notation (application/json)', protocol: 'JSON' };
  return { suffix: ` (${type})` };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
