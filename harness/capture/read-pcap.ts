// Reads a classic pcap file into records. pcap-parser does the reading; it knows only the two
// microsecond magic numbers (either byte order), so a nanosecond file's magic is rewritten on the way
// in to the microsecond magic of the same byte order, and the second timestamp field is read as
// nanoseconds. pcapng (tcpdump never writes it with -w, but Wireshark does) is refused with a clear error.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { parse, type GlobalHeader, type Packet } from 'pcap-parser';

export type ByteOrder = 'big-endian' | 'little-endian';
export type TimestampResolution = 'microseconds' | 'nanoseconds';

export interface PcapFormat {
  byteOrder: ByteOrder;
  resolution: TimestampResolution;
}

export interface PcapRecord {
  /** Seconds since the epoch and the nanoseconds within that second (microseconds × 1000 in µs files). */
  seconds: number;
  nanoseconds: number;
  capturedLength: number;
  originalLength: number;
  data: Buffer;
}

export interface PcapCapture extends PcapFormat {
  /** The link-layer header type (DLT/LINKTYPE number) from the global header. */
  linkType: number;
  snapshotLength: number;
  records: PcapRecord[];
  /** Bytes after the last whole record: a record cut short when tcpdump was killed. */
  trailingBytes: number;
}

/** A file that is not a readable classic pcap capture; `code` is stable for callers. */
export class PcapReadError extends Error {
  constructor(
    readonly code: 'PCAP_TOO_SHORT' | 'PCAP_NG' | 'PCAP_MAGIC' | 'PCAP_PARSE',
    message: string,
  ) {
    super(message);
    this.name = 'PcapReadError';
  }
}

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

const MAGIC_FORMATS: Record<string, PcapFormat> = {
  a1b2c3d4: { byteOrder: 'big-endian', resolution: 'microseconds' },
  d4c3b2a1: { byteOrder: 'little-endian', resolution: 'microseconds' },
  a1b23c4d: { byteOrder: 'big-endian', resolution: 'nanoseconds' },
  '4d3cb2a1': { byteOrder: 'little-endian', resolution: 'nanoseconds' },
};

/** The microsecond magic, as bytes in the file, that pcap-parser accepts for each byte order. */
const MICROSECOND_MAGIC: Record<ByteOrder, Buffer> = {
  'big-endian': Buffer.from('a1b2c3d4', 'hex'),
  'little-endian': Buffer.from('d4c3b2a1', 'hex'),
};

/** Which classic pcap variant the first bytes announce. */
export function detectPcapFormat(head: Buffer, name: string): PcapFormat {
  if (head.length < GLOBAL_HEADER_BYTES) {
    throw new PcapReadError('PCAP_TOO_SHORT', `${name}: not a pcap file: ${head.length} bytes, a pcap header has 24`);
  }
  const magic = head.toString('hex', 0, 4);
  if (magic === '0a0d0d0a') {
    throw new PcapReadError('PCAP_NG', `${name}: this is a pcapng file; save it as classic pcap (editcap -F pcap) or capture with tcpdump -w`);
  }
  const format = MAGIC_FORMATS[magic];
  if (!format) throw new PcapReadError('PCAP_MAGIC', `${name}: not a pcap file: unknown magic number 0x${magic}`);
  return format;
}

export async function readPcap(file: string): Promise<PcapCapture> {
  const handle = await open(file, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(GLOBAL_HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, GLOBAL_HEADER_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  return parseStream(createReadStream(file), detectPcapFormat(head, file));
}

/** The same, for a capture already in memory (tests build synthetic ones). */
export async function readPcapBuffer(buffer: Buffer, name = 'pcap buffer'): Promise<PcapCapture> {
  return parseStream(Readable.from([buffer]), detectPcapFormat(buffer, name));
}

function parseStream(source: Readable, format: PcapFormat): Promise<PcapCapture> {
  const passThrough = new MagicRewriter(format.resolution === 'nanoseconds' ? MICROSECOND_MAGIC[format.byteOrder] : null);
  source.on('error', (error) => passThrough.destroy(error));
  const parser = parse(source.pipe(passThrough));
  const toNanoseconds = format.resolution === 'nanoseconds' ? 1 : 1000;
  let header: GlobalHeader | null = null;
  const records: PcapRecord[] = [];
  let recordBytes = 0;
  return new Promise((resolve, reject) => {
    let settled = false;
    parser.on('globalHeader', (globalHeader) => (header = globalHeader));
    parser.on('packet', ({ header: recordHeader, data }: Packet) => {
      recordBytes += RECORD_HEADER_BYTES + recordHeader.capturedLength;
      records.push({
        seconds: recordHeader.timestampSeconds,
        nanoseconds: recordHeader.timestampMicroseconds * toNanoseconds,
        capturedLength: recordHeader.capturedLength,
        originalLength: recordHeader.originalLength,
        data,
      });
    });
    parser.on('error', (error) => {
      settled = true;
      reject(new PcapReadError('PCAP_PARSE', error.message));
    });
    parser.on('end', () => {
      if (settled) return;
      settled = true;
      if (!header) return reject(new PcapReadError('PCAP_TOO_SHORT', 'not a pcap file: no complete header'));
      resolve({
        ...format,
        linkType: header.linkLayerType,
        snapshotLength: header.snapshotLength,
        records,
        trailingBytes: Math.max(0, passThrough.bytes - GLOBAL_HEADER_BYTES - recordBytes),
      });
    });
  });
}

/** Passes bytes through, counting them, and replaces the first four (the magic) when asked to. */
class MagicRewriter extends Transform {
  bytes = 0;

  constructor(private readonly magic: Buffer | null) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.magic && this.bytes < 4) {
      chunk = Buffer.from(chunk);
      for (let i = this.bytes; i < 4 && i - this.bytes < chunk.length; i++) chunk[i - this.bytes] = this.magic[i];
    }
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}
