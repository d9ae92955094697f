// ICMP and ICMPv6 in Wireshark's words: `Destination unreachable (Port unreachable)`,
// `Echo (ping) request  id=0x0001, seq=1/256, ttl=64`. The type name is padded to 20 characters, as
// Wireshark does, which is why an echo reply has four spaces before its id.
import type { DecodedPacket } from '../decode-packet.js';
import { decodeIp } from '../decode-ip.js';
import { decodeLink } from '../decode-link.js';

type Names = Record<number, [string, Record<number, string>?]>;

const ICMP_TYPES: Names = {
  0: ['Echo (ping) reply'],
  3: [
    'Destination unreachable',
    {
      0: 'Network unreachable',
      1: 'Host unreachable',
      2: 'Protocol unreachable',
      3: 'Port unreachable',
      4: 'Fragmentation needed',
      5: 'Source route failed',
      6: 'Destination network unknown',
      7: 'Destination host unknown',
      8: 'Source host isolated',
      9: 'Network administratively prohibited',
      10: 'Host administratively prohibited',
      11: 'Network unreachable for TOS',
      12: 'Host unreachable for TOS',
      13: 'Communication administratively filtered',
      14: 'Host precedence violation',
      15: 'Precedence cutoff in effect',
    },
  ],
  4: ['Source quench (flow control)'],
  5: ['Redirect', { 0: 'Redirect for network', 1: 'Redirect for host', 2: 'Redirect for TOS and network', 3: 'Redirect for TOS and host' }],
  8: ['Echo (ping) request'],
  11: ['Time-to-live exceeded', { 0: 'Time to live exceeded in transit', 1: 'Fragment reassembly time exceeded' }],
  12: ['Parameter problem'],
  13: ['Timestamp request'],
  14: ['Timestamp reply'],
};

const ICMP6_TYPES: Names = {
  1: [
    'Destination Unreachable',
    {
      0: 'no route to destination',
      1: 'communication with destination administratively prohibited',
      2: 'beyond scope of source address',
      3: 'address unreachable',
      4: 'Port unreachable',
      5: 'source address failed ingress/egress policy',
      6: 'reject route to destination',
    },
  ],
  2: ['Packet Too Big'],
  3: ['Time Exceeded', { 0: 'hop limit exceeded in transit', 1: 'fragment reassembly time exceeded' }],
  4: ['Parameter Problem'],
  128: ['Echo (ping) request'],
  129: ['Echo (ping) reply'],
  130: ['Multicast Listener Query'],
  131: ['Multicast Listener Report'],
  132: ['Multicast Listener Done'],
  133: ['Router Solicitation'],
  134: ['Router Advertisement'],
  135: ['Neighbor Solicitation'],
  136: ['Neighbor Advertisement'],
  143: ['Multicast Listener Report Message v2'],
};

/** ICMPv6 option 1, the sender's link-layer address, as Wireshark adds it: ` from 3a:25:1e:3c:a3:be`. */
const SOURCE_LINK_ADDRESS = 1;

/** Echo requests seen so far, by `id/seq`, so that a reply can name its request's frame. */
export class IcmpInfo {
  private readonly requests = new Map<string, number>();

  describe(packet: DecodedPacket, linkType: number, frame: number): string {
    const icmp = packet.icmp!;
    const v6 = packet.protocol === 'icmp6';
    const [name, codes] = (v6 ? ICMP6_TYPES : ICMP_TYPES)[icmp.type] ?? [`Unknown ICMP${v6 ? 'v6' : ''} (obsolete or malformed?)`];
    const code = codes?.[icmp.code];
    const echo = v6 ? icmp.type === 128 || icmp.type === 129 : icmp.type === 8 || icmp.type === 0;
    if (!echo) return v6 ? `${name}${code ? ` (${code})` : ''}${this.sender(packet, linkType, icmp.type)}` : `${name.padEnd(20)}${code ? ` (${code})` : ''}`;
    return `${name.padEnd(20)}${this.echoDetails(packet, linkType, frame, v6 ? icmp.type === 128 : icmp.type === 8)}`;
  }

  /** A router solicitation's sender (Linux sends one from each interface it brings up). */
  private sender(packet: DecodedPacket, linkType: number, type: number): string {
    if (type !== 133) return '';
    const data = packet.record.data;
    const ip = decodeIp(data, decodeLink(linkType, data)?.offset ?? 0);
    if (!ip) return '';
    for (let at = ip.payloadOffset + 8; at + 8 <= data.length && data[at + 1] > 0; at += data[at + 1] * 8) {
      if (data[at] === SOURCE_LINK_ADDRESS) return ` from ${[...data.subarray(at + 2, at + 8)].map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`;
    }
    return '';
  }

  private echoDetails(packet: DecodedPacket, linkType: number, frame: number, request: boolean): string {
    const data = packet.record.data;
    const ip = decodeIp(data, decodeLink(linkType, data)?.offset ?? 0);
    if (!ip || data.length < ip.payloadOffset + 8) return '';
    const id = data.readUInt16BE(ip.payloadOffset + 4);
    const sequence = data.readUInt16BE(ip.payloadOffset + 6);
    const swapped = ((sequence & 0xff) << 8) | (sequence >> 8);
    const key = `${id}/${sequence}`;
    let matched = '';
    if (request) this.requests.set(key, frame);
    else if (this.requests.has(key)) matched = ` (request in ${this.requests.get(key)})`;
    return ` id=0x${id.toString(16).padStart(4, '0')}, seq=${sequence}/${swapped}, ${ip.version === 4 ? 'ttl' : 'hop limit'}=${ip.ttl}${matched}`;
  }
}
