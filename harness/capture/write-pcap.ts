// Writes records back as a classic pcap file, in the byte order and timestamp resolution they were read
// in, so a file rewritten by socklab opens in Wireshark exactly like the one tcpdump wrote.
import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PcapCapture } from './read-pcap.js';

export function encodePcap(capture: PcapCapture): Buffer {
  const littleEndian = capture.byteOrder === 'little-endian';
  const nanoseconds = capture.resolution === 'nanoseconds';
  const word = (value: number) => {
    const bytes = Buffer.alloc(4);
    if (littleEndian) bytes.writeUInt32LE(value >>> 0);
    else bytes.writeUInt32BE(value >>> 0);
    return bytes;
  };
  const half = (value: number) => {
    const bytes = Buffer.alloc(2);
    if (littleEndian) bytes.writeUInt16LE(value);
    else bytes.writeUInt16BE(value);
    return bytes;
  };
  const parts: Buffer[] = [word(nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4), half(2), half(4), word(0), word(0), word(capture.snapshotLength), word(capture.linkType)];
  for (const record of capture.records) {
    const fraction = nanoseconds ? record.nanoseconds : Math.round(record.nanoseconds / 1000);
    parts.push(word(record.seconds), word(fraction), word(record.data.length), word(record.originalLength), record.data);
  }
  return Buffer.concat(parts);
}

/** Replaces the file through a temporary one, so a reader never sees half a capture. */
export async function writePcap(file: string, capture: PcapCapture): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, encodePcap(capture));
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
