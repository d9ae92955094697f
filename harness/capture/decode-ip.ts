// The network layer: IPv4 (with options, read from the IHL) and IPv6 (following the next-header chain
// through the extension headers a capture may show: hop-by-hop, routing, fragment, destination options, AH).
// Used both for the packets themselves and for the datagram an ICMP error quotes.

export interface IpHeader {
  version: 4 | 6;
  source: string;
  destination: string;
  /** Transport protocol number after any extension headers: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6. */
  protocol: number;
  /** Where the transport header starts, counted from the start of the buffer. */
  payloadOffset: number;
  /** Transport bytes according to the IP header, but never more than were captured. */
  payloadLength: number;
  /** TTL (IPv4) or hop limit (IPv6). */
  ttl: number;
  /** In bytes; non-zero for every fragment but the first, which alone holds the transport header. */
  fragmentOffset: number;
  moreFragments: boolean;
}

const IPV6_HEADER_BYTES = 40;
const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTHENTICATION = 51;
const DESTINATION_OPTIONS = 60;

export function decodeIp(data: Buffer, offset: number): IpHeader | undefined {
  if (data.length <= offset) return undefined;
  const version = data[offset] >> 4;
  if (version === 4) return decodeIpv4(data, offset);
  if (version === 6) return decodeIpv6(data, offset);
  return undefined;
}

export function decodeIpv4(data: Buffer, offset: number): IpHeader | undefined {
  if (data.length < offset + 20) return undefined;
  const headerLength = (data[offset] & 0x0f) * 4;
  if (headerLength < 20 || data.length < offset + headerLength) return undefined;
  const totalLength = data.readUInt16BE(offset + 2);
  const fragment = data.readUInt16BE(offset + 6);
  const payloadOffset = offset + headerLength;
  return {
    version: 4,
    source: formatIpv4(data, offset + 12),
    destination: formatIpv4(data, offset + 16),
    protocol: data[offset + 9],
    payloadOffset,
    payloadLength: clampLength(totalLength - headerLength, data.length - payloadOffset),
    ttl: data[offset + 8],
    fragmentOffset: (fragment & 0x1fff) * 8,
    moreFragments: (fragment & 0x2000) !== 0,
  };
}

export function decodeIpv6(data: Buffer, offset: number): IpHeader | undefined {
  if (data.length < offset + IPV6_HEADER_BYTES) return undefined;
  const declaredPayload = data.readUInt16BE(offset + 4);
  let nextHeader = data[offset + 6];
  let position = offset + IPV6_HEADER_BYTES;
  let fragmentOffset = 0;
  let moreFragments = false;
  for (;;) {
    if (nextHeader === HOP_BY_HOP || nextHeader === ROUTING || nextHeader === DESTINATION_OPTIONS) {
      if (data.length < position + 2) break;
      const next = data[position];
      position += (data[position + 1] + 1) * 8;
      nextHeader = next;
    } else if (nextHeader === FRAGMENT) {
      if (data.length < position + 8) break;
      const field = data.readUInt16BE(position + 2);
      fragmentOffset = (field >> 3) * 8;
      moreFragments = (field & 1) !== 0;
      nextHeader = data[position];
      position += 8;
    } else if (nextHeader === AUTHENTICATION) {
      if (data.length < position + 2) break;
      const next = data[position];
      position += (data[position + 1] + 2) * 4;
      nextHeader = next;
    } else {
      break;
    }
  }
  const extensionBytes = position - offset - IPV6_HEADER_BYTES;
  return {
    version: 6,
    source: formatIpv6(data, offset + 8),
    destination: formatIpv6(data, offset + 24),
    protocol: nextHeader,
    payloadOffset: position,
    payloadLength: clampLength(declaredPayload - extensionBytes, data.length - position),
    ttl: data[offset + 7],
    fragmentOffset,
    moreFragments,
  };
}

function clampLength(declared: number, captured: number): number {
  return Math.max(0, Math.min(declared, captured));
}

export function formatIpv4(data: Buffer, offset: number): string {
  return `${data[offset]}.${data[offset + 1]}.${data[offset + 2]}.${data[offset + 3]}`;
}

/** RFC 5952 text: lowercase, leading zeros dropped, the longest run of two or more zero groups as `::`. */
export function formatIpv6(data: Buffer, offset: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(data.readUInt16BE(offset + i * 2));
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; ) {
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) [bestStart, bestLength] = [start, end - start];
    start = end === start ? start + 1 : end;
  }
  const text = groups.map((group) => group.toString(16));
  if (bestLength < 2) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLength).join(':')}`;
}
