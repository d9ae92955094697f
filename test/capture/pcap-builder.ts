// Builds small synthetic pcap files byte by byte, for decoder tests that must not depend on tcpdump:
// both byte orders, both timestamp resolutions, and the link types a Linux capture can have.
import { isIPv4 } from 'node:net';

export interface RecordSpec {
  data: Buffer;
  seconds?: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  fraction?: number;
  /** Bytes on the wire, when more than were captured. */
  originalLength?: number;
}

export interface PcapSpec {
  linkType: number;
  byteOrder?: 'big-endian' | 'little-endian';
  nanoseconds?: boolean;
  records: RecordSpec[];
}

export function buildPcap(spec: PcapSpec): Buffer {
  const littleEndian = (spec.byteOrder ?? 'little-endian') === 'little-endian';
  const u32 = (value: number) => {
    const buffer = Buffer.alloc(4);
    if (littleEndian) buffer.writeUInt32LE(value);
    else buffer.writeUInt32BE(value);
    return buffer;
  };
  const u16 = (value: number) => {
    const buffer = Buffer.alloc(2);
    if (littleEndian) buffer.writeUInt16LE(value);
    else buffer.writeUInt16BE(value);
    return buffer;
  };
  const magic = spec.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4;
  const parts: Buffer[] = [u32(magic), u16(2), u16(4), u32(0), u32(0), u32(262144), u32(spec.linkType)];
  spec.records.forEach((record, index) => {
    parts.push(u32(record.seconds ?? 1_700_000_000), u32(record.fraction ?? index * 1000), u32(record.data.length));
    parts.push(u32(record.originalLength ?? record.data.length), record.data);
  });
  return Buffer.concat(parts);
}

export function ethernet(etherType: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(14);
  header.writeUInt16BE(etherType, 12);
  return Buffer.concat([header, payload]);
}

/** Linux cooked capture v1 (DLT 113): 16 bytes, protocol last. */
export function sll(protocol: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt16BE(0, 0);
  header.writeUInt16BE(772, 2);
  header.writeUInt16BE(6, 4);
  header.writeUInt16BE(protocol, 14);
  return Buffer.concat([header, payload]);
}

/** Linux cooked capture v2 (DLT 276): 20 bytes, protocol first. */
export function sll2(protocol: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(protocol, 0);
  header.writeUInt32BE(1, 4);
  header.writeUInt16BE(772, 8);
  return Buffer.concat([header, payload]);
}

export function ipv4(source: string, destination: string, protocol: number, payload: Buffer, options = Buffer.alloc(0)): Buffer {
  const headerLength = 20 + options.length;
  const header = Buffer.alloc(20);
  header[0] = 0x40 | (headerLength / 4);
  header.writeUInt16BE(headerLength + payload.length, 2);
  header[8] = 64;
  header[9] = protocol;
  addressBytes(source).copy(header, 12);
  addressBytes(destination).copy(header, 16);
  return Buffer.concat([header, options, payload]);
}

/** IPv6, optionally behind extension headers (types such as 0, hop-by-hop), each an empty 8-byte block. */
export function ipv6(source: string, destination: string, protocol: number, payload: Buffer, extensions: number[] = []): Buffer {
  const chain = [...extensions, protocol];
  const extensionBytes = extensions.map((_type, index) => {
    const block = Buffer.alloc(8);
    block[0] = chain[index + 1];
    return block;
  });
  const header = Buffer.alloc(40);
  header[0] = 0x60;
  header.writeUInt16BE(payload.length + extensionBytes.length * 8, 4);
  header[6] = chain[0];
  header[7] = 64;
  addressBytes(source).copy(header, 8);
  addressBytes(destination).copy(header, 24);
  return Buffer.concat([header, ...extensionBytes, payload]);
}

const FLAG_BITS: Record<string, number> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32 };

export function tcp(sourcePort: number, destinationPort: number, fields: { seq?: number; ack?: number; flags: string[]; window?: number; payload?: string | Buffer; options?: Buffer }): Buffer {
  const options = fields.options ?? Buffer.alloc(0);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(sourcePort, 0);
  header.writeUInt16BE(destinationPort, 2);
  header.writeUInt32BE((fields.seq ?? 0) >>> 0, 4);
  header.writeUInt32BE((fields.ack ?? 0) >>> 0, 8);
  header[12] = ((20 + options.length) / 4) << 4;
  header[13] = fields.flags.reduce((bits, flag) => bits | FLAG_BITS[flag], 0);
  header.writeUInt16BE(fields.window ?? 65495, 14);
  const payload = typeof fields.payload === 'string' || fields.payload === undefined ? Buffer.from(fields.payload ?? '', 'latin1') : fields.payload;
  return Buffer.concat([header, options, payload]);
}

export function udp(sourcePort: number, destinationPort: number, payload: string): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(sourcePort, 0);
  header.writeUInt16BE(destinationPort, 2);
  header.writeUInt16BE(8 + Buffer.byteLength(payload), 4);
  return Buffer.concat([header, Buffer.from(payload)]);
}

/** An ICMP/ICMPv6 message; for errors, `quoted` is the offending packet (its IP header and more). */
export function icmp(type: number, code: number, quoted: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header[1] = code;
  return Buffer.concat([header, quoted]);
}

export function addressBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  const [head, tail] = address.split('::');
  const groups = (text: string | undefined) => (text ? text.split(':').map((group) => parseInt(group, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const buffer = Buffer.alloc(16);
  all.forEach((group, index) => buffer.writeUInt16BE(group, index * 2));
  return buffer;
}

/** A TCP conversation over Ethernet/IPv4 on loopback, one record per segment, 1 ms apart. */
export function loopbackTcp(segments: Array<{ fromClient: boolean; segment: Parameters<typeof tcp>[2] }>, clientPort: number, serverPort: number): RecordSpec[] {
  return segments.map(({ fromClient, segment }, index) => ({
    fraction: index * 1000,
    data: ethernet(
      0x0800,
      fromClient ? ipv4('127.0.0.1', '127.0.0.1', 6, tcp(clientPort, serverPort, segment)) : ipv4('127.0.0.1', '127.0.0.1', 6, tcp(serverPort, clientPort, segment)),
    ),
  }));
}
