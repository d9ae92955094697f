// One record from link layer to payload: the decoders chained, with a note where decoding had to stop.
import type { Endpoint, IcmpInfo, TransportProtocol } from '../model/capture.js';
import { decodeLink } from './decode-link.js';
import { decodeIp } from './decode-ip.js';
import { decodeIcmp, decodeTcp, decodeUdp, transportProtocol, type TcpHeader } from './decode-transport.js';
import type { PcapRecord } from './read-pcap.js';

export interface DecodedPacket {
  index: number;
  record: PcapRecord;
  /** 4 or 6, absent when the frame is not IP. */
  ipVersion?: 4 | 6;
  source: Endpoint;
  destination: Endpoint;
  protocol: TransportProtocol;
  /** The transport payload as captured (may be shorter than payloadLength with a small snaplen). */
  payload: Buffer;
  payloadLength: number;
  tcp?: TcpHeader;
  icmp?: IcmpInfo;
  /** Why the packet is not fully decoded: "ARP", "IP fragment", "truncated TCP header". */
  note?: string;
}

const NOT_IP: Endpoint = { host: '-' };

export function decodePacket(linkType: number, record: PcapRecord, index: number): DecodedPacket {
  const data = record.data;
  const base = { index, record, payload: Buffer.alloc(0), payloadLength: 0 };
  const frame = decodeLink(linkType, data);
  if (!frame) return { ...base, source: NOT_IP, destination: NOT_IP, protocol: 'other', note: `undecoded link type ${linkType}` };
  if (frame.network === 'arp' || frame.network === 'other') {
    const what = frame.network === 'arp' ? 'ARP' : `not IP (EtherType 0x${(frame.etherType ?? 0).toString(16).padStart(4, '0')})`;
    return { ...base, source: NOT_IP, destination: NOT_IP, protocol: 'other', note: what };
  }
  const ip = decodeIp(data, frame.offset);
  if (!ip) return { ...base, source: NOT_IP, destination: NOT_IP, protocol: 'other', note: 'truncated IP header' };
  const hosts = { ipVersion: ip.version, source: { host: ip.source }, destination: { host: ip.destination } };
  const protocol = transportProtocol(ip);
  if (ip.fragmentOffset > 0) {
    return { ...base, ...hosts, protocol, payloadLength: ip.payloadLength, note: `IP fragment at offset ${ip.fragmentOffset}` };
  }
  if (protocol === 'tcp' || protocol === 'udp') {
    const header = protocol === 'tcp' ? decodeTcp(data, ip) : decodeUdp(data, ip);
    if (!header) return { ...base, ...hosts, protocol, note: `truncated ${protocol.toUpperCase()} header` };
    return {
      ...base,
      ...hosts,
      source: { host: ip.source, port: header.sourcePort },
      destination: { host: ip.destination, port: header.destinationPort },
      protocol,
      payload: data.subarray(header.payloadOffset, header.payloadOffset + header.payloadLength),
      payloadLength: header.payloadLength,
      ...(protocol === 'tcp' ? { tcp: header as TcpHeader } : {}),
    };
  }
  if (protocol === 'icmp' || protocol === 'icmp6') {
    const icmp = decodeIcmp(data, ip);
    return icmp ? { ...base, ...hosts, protocol, icmp } : { ...base, ...hosts, protocol, note: 'truncated ICMP header' };
  }
  return { ...base, ...hosts, protocol, payloadLength: ip.payloadLength, note: `IP protocol ${ip.protocol}` };
}
