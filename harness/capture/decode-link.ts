// The link layer: where the IP packet starts in a record, for the link types a Linux capture produces
// (Ethernet for lo and veth, Linux cooked v1/v2 for `-i any`, raw IP) and BSD loopback for macOS lo0.

export type NetworkProtocol = 'ipv4' | 'ipv6' | 'arp' | 'other';

export interface LinkFrame {
  network: NetworkProtocol;
  /** Offset of the network-layer header in the record. */
  offset: number;
  /** The EtherType (or protocol number) as found in the link header, when there is one. */
  etherType?: number;
}

export const LINK_TYPES: Record<number, string> = {
  0: 'NULL (BSD loopback)',
  1: 'EN10MB (Ethernet)',
  12: 'RAW (raw IP)',
  14: 'RAW (raw IP)',
  101: 'RAW (raw IP)',
  108: 'LOOP (OpenBSD loopback)',
  113: 'LINUX_SLL (Linux cooked v1)',
  228: 'IPV4 (raw IPv4)',
  229: 'IPV6 (raw IPv6)',
  276: 'LINUX_SLL2 (Linux cooked v2)',
};

export function linkTypeName(linkType: number): string {
  return LINK_TYPES[linkType] ?? `link type ${linkType} (not decoded)`;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_VLAN = [0x8100, 0x88a8];

/** Finds the network header in one record, or undefined when the record is too short or the type unknown. */
export function decodeLink(linkType: number, data: Buffer): LinkFrame | undefined {
  switch (linkType) {
    case 1:
      return decodeEthernet(data);
    case 113:
      // Linux cooked v1: packet type, ARPHRD type, address length, 8 address bytes, then the protocol.
      return data.length >= 16 ? byEtherType(data.readUInt16BE(14), 16) : undefined;
    case 276:
      // Linux cooked v2: the protocol comes first, the header is 20 bytes long.
      return data.length >= 20 ? byEtherType(data.readUInt16BE(0), 20) : undefined;
    case 12:
    case 14:
    case 101:
      return byVersion(data, 0);
    case 228:
      return { network: 'ipv4', offset: 0 };
    case 229:
      return { network: 'ipv6', offset: 0 };
    case 0:
      // The address family is in the byte order of the machine that captured it.
      return data.length >= 4 ? byFamily(Math.min(data.readUInt32LE(0), data.readUInt32BE(0))) : undefined;
    case 108:
      return data.length >= 4 ? byFamily(data.readUInt32BE(0)) : undefined;
    default:
      return undefined;
  }
}

function decodeEthernet(data: Buffer): LinkFrame | undefined {
  let offset = 12;
  if (data.length < offset + 2) return undefined;
  let etherType = data.readUInt16BE(offset);
  while (ETHERTYPE_VLAN.includes(etherType) && data.length >= offset + 6) {
    offset += 4;
    etherType = data.readUInt16BE(offset);
  }
  return byEtherType(etherType, offset + 2);
}

function byEtherType(etherType: number, offset: number): LinkFrame {
  const network: NetworkProtocol =
    etherType === ETHERTYPE_IPV4 ? 'ipv4' : etherType === ETHERTYPE_IPV6 ? 'ipv6' : etherType === ETHERTYPE_ARP ? 'arp' : 'other';
  return { network, offset, etherType };
}

function byVersion(data: Buffer, offset: number): LinkFrame | undefined {
  if (data.length <= offset) return undefined;
  const version = data[offset] >> 4;
  return { network: version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : 'other', offset };
}

function byFamily(family: number): LinkFrame {
  // AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 depending on the BSD.
  const network: NetworkProtocol = family === 2 ? 'ipv4' : [24, 28, 30].includes(family) ? 'ipv6' : 'other';
  return { network, offset: 4 };
}
