// The transport layer: TCP and UDP headers, and ICMP/ICMPv6 messages with plain descriptions. An ICMP
// error quotes the start of the datagram it answers; that quote is decoded too, so a port unreachable
// can say which UDP datagram it was for.
import type { IcmpInfo, TransportProtocol } from '../model/capture.js';
import { decodeIp, type IpHeader } from './decode-ip.js';

export interface PortHeader {
  sourcePort: number;
  destinationPort: number;
  /** Where the payload starts in the record. */
  payloadOffset: number;
  payloadLength: number;
}

export interface TcpHeader extends PortHeader {
  /** Absolute sequence and acknowledgement numbers, as on the wire. */
  seq: number;
  ack: number;
  /** Flag names in Wireshark's order: FIN, SYN, RST, PSH, ACK, URG, ECE, CWR. */
  flags: string[];
  /** The window field as sent, not multiplied by a window-scale factor. */
  window: number;
  /** Where the TCP header starts in the record (its options run from here + 20 to payloadOffset). */
  headerOffset: number;
  /** The urgent pointer field. */
  urgentPointer: number;
}

const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

export function transportProtocol(ip: IpHeader): TransportProtocol {
  switch (ip.protocol) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 1:
      return ip.version === 4 ? 'icmp' : 'other';
    case 58:
      return ip.version === 6 ? 'icmp6' : 'other';
    default:
      return 'other';
  }
}

export function decodeTcp(data: Buffer, ip: IpHeader): TcpHeader | undefined {
  const start = ip.payloadOffset;
  if (data.length < start + 20 || ip.payloadLength < 20) return undefined;
  const headerLength = (data[start + 12] >> 4) * 4;
  const flagBits = data[start + 13];
  return {
    sourcePort: data.readUInt16BE(start),
    destinationPort: data.readUInt16BE(start + 2),
    seq: data.readUInt32BE(start + 4),
    ack: data.readUInt32BE(start + 8),
    flags: TCP_FLAG_NAMES.filter((_name, bit) => (flagBits & (1 << bit)) !== 0),
    window: data.readUInt16BE(start + 14),
    headerOffset: start,
    urgentPointer: data.readUInt16BE(start + 18),
    payloadOffset: start + headerLength,
    payloadLength: Math.max(0, ip.payloadLength - headerLength),
  };
}

export function decodeUdp(data: Buffer, ip: IpHeader): PortHeader | undefined {
  const start = ip.payloadOffset;
  if (data.length < start + 8 || ip.payloadLength < 8) return undefined;
  return {
    sourcePort: data.readUInt16BE(start),
    destinationPort: data.readUInt16BE(start + 2),
    payloadOffset: start + 8,
    payloadLength: Math.max(0, Math.min(data.readUInt16BE(start + 4), ip.payloadLength) - 8),
  };
}

/** ICMP (IPv4) or ICMPv6, with the quoted datagram of an error message. */
export function decodeIcmp(data: Buffer, ip: IpHeader): IcmpInfo | undefined {
  const start = ip.payloadOffset;
  if (data.length < start + 4) return undefined;
  const type = data[start];
  const code = data[start + 1];
  const info: IcmpInfo = { type, code, description: describeIcmp(ip.version, type, code) };
  const isError = ip.version === 4 ? [3, 4, 5, 11, 12].includes(type) : type < 128;
  if (isError) {
    const quotedIp = decodeIp(data, start + 8);
    if (quotedIp && quotedIp.version === ip.version) {
      const protocol = transportProtocol(quotedIp);
      const hasPorts = (protocol === 'tcp' || protocol === 'udp') && data.length >= quotedIp.payloadOffset + 4;
      info.quoted = {
        protocol,
        source: { host: quotedIp.source, ...(hasPorts ? { port: data.readUInt16BE(quotedIp.payloadOffset) } : {}) },
        destination: { host: quotedIp.destination, ...(hasPorts ? { port: data.readUInt16BE(quotedIp.payloadOffset + 2) } : {}) },
      };
    }
  }
  return info;
}

/** True for ICMP destination/port unreachable (3/3) and ICMPv6 destination/port unreachable (1/4). */
export function isPortUnreachable(icmp: IcmpInfo, protocol: TransportProtocol): boolean {
  return protocol === 'icmp' ? icmp.type === 3 && icmp.code === 3 : protocol === 'icmp6' && icmp.type === 1 && icmp.code === 4;
}

const ICMP4_TYPES: Record<number, [string, Record<number, string>?]> = {
  0: ['echo reply'],
  3: [
    'destination unreachable',
    {
      0: 'network unreachable',
      1: 'host unreachable',
      2: 'protocol unreachable',
      3: 'port unreachable',
      4: 'fragmentation needed',
      6: 'destination network unknown',
      7: 'destination host unknown',
      9: 'network administratively prohibited',
      10: 'host administratively prohibited',
      13: 'communication administratively prohibited',
    },
  ],
  4: ['source quench'],
  5: ['redirect', { 0: 'for the network', 1: 'for the host' }],
  8: ['echo request'],
  11: ['time exceeded', { 0: 'TTL exceeded in transit', 1: 'fragment reassembly time exceeded' }],
  12: ['parameter problem'],
};

const ICMP6_TYPES: Record<number, [string, Record<number, string>?]> = {
  1: [
    'destination unreachable',
    { 0: 'no route to destination', 1: 'administratively prohibited', 3: 'address unreachable', 4: 'port unreachable', 5: 'source address failed policy', 6: 'reject route' },
  ],
  2: ['packet too big'],
  3: ['time exceeded', { 0: 'hop limit exceeded in transit', 1: 'fragment reassembly time exceeded' }],
  4: ['parameter problem'],
  128: ['echo request'],
  129: ['echo reply'],
  133: ['router solicitation'],
  134: ['router advertisement'],
  135: ['neighbor solicitation'],
  136: ['neighbor advertisement'],
  137: ['redirect'],
};

/** "destination unreachable: port unreachable", "echo request", "type 42 code 0". */
export function describeIcmp(version: 4 | 6, type: number, code: number): string {
  const entry = (version === 4 ? ICMP4_TYPES : ICMP6_TYPES)[type];
  if (!entry) return `type ${type} code ${code}`;
  const [name, codes] = entry;
  if (!codes) return code === 0 ? name : `${name} (code ${code})`;
  return `${name}: ${codes[code] ?? `code ${code}`}`;
}
