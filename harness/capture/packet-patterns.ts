// Which listed packets a spec's packet pattern (`{ tcp: syn, from: client, to: tcp-server }`) matches.
import type { Endpoint, PacketSummary } from '../model/capture.js';
import type { PacketExpectation } from './capture-expectation-schema.js';
import { isPortUnreachable } from './decode-transport.js';
import type { EndpointNames } from './endpoint-names.js';

const TCP_NOUNS = { syn: 'TCP SYN packet', synack: 'TCP SYN-ACK packet', rst: 'TCP RST packet', fin: 'TCP FIN packet', data: 'TCP data segment' };

/** Singular noun for what the pattern looks for: "TCP SYN packet", "UDP datagram". */
export function describePacketKind(pattern: PacketExpectation): string {
  const kinds = [
    ...(pattern.tcp ? [TCP_NOUNS[pattern.tcp]] : []),
    ...(pattern.udp ? ['UDP datagram'] : []),
    ...(pattern.icmp ? ['ICMP port unreachable message'] : []),
  ];
  // Several kinds at once must all hold, which no packet can: the text then shows the contradiction.
  return kinds.length > 0 ? kinds.join(' that is also a ') : 'packet';
}

export function matchesKind(packet: PacketSummary, pattern: PacketExpectation): boolean {
  const flags = packet.tcp?.flags ?? [];
  if (pattern.tcp !== undefined) {
    if (packet.protocol !== 'tcp') return false;
    const hasSyn = flags.includes('SYN');
    const ok = {
      syn: hasSyn && !flags.includes('ACK'),
      synack: hasSyn && flags.includes('ACK'),
      rst: flags.includes('RST'),
      fin: flags.includes('FIN'),
      data: packet.payloadLength > 0,
    }[pattern.tcp];
    if (!ok) return false;
  }
  if (pattern.udp && packet.protocol !== 'udp') return false;
  if (pattern.icmp === 'port-unreachable' && !(packet.icmp && isPortUnreachable(packet.icmp, packet.protocol))) return false;
  return true;
}

/**
 * Who a packet is from and to, for `from:`/`to:`. An ICMP error counts as coming from the endpoint the
 * quoted datagram was sent to and going to its sender: "port unreachable from udp-server to client".
 */
export function packetEnds(packet: PacketSummary): { from: Endpoint; to: Endpoint } {
  const quoted = packet.icmp?.quoted;
  return quoted ? { from: quoted.destination, to: quoted.source } : { from: packet.source, to: packet.destination };
}

/** `client` matches any endpoint without a name; any other word must be the endpoint's name. */
export function matchesEndpoint(endpoint: Endpoint, wanted: string, names: EndpointNames): boolean {
  const name = names.nameOf(endpoint);
  return wanted === 'client' ? name === undefined : name === wanted;
}
