// UDP told in plain words: datagrams answered by ICMP port unreachable, and datagrams nobody answered.
import type { CaptureEvent, Endpoint } from '../model/capture.js';
import type { DecodedPacket } from './decode-packet.js';
import { isPortUnreachable } from './decode-transport.js';
import { formatEndpoint, type EndpointNames } from './endpoint-names.js';
import type { PacketTime } from './tcp-events.js';

export function udpEvents(packets: DecodedPacket[], names: EndpointNames, timeOf: PacketTime): CaptureEvent[] {
  return [...portUnreachableEvents(packets, names, timeOf), ...noReplyEvents(packets, names, timeOf)];
}

function portUnreachableEvents(packets: DecodedPacket[], names: EndpointNames, timeOf: PacketTime): CaptureEvent[] {
  const events: CaptureEvent[] = [];
  for (const packet of packets) {
    const quoted = packet.icmp?.quoted;
    if (!packet.icmp || !quoted || !isPortUnreachable(packet.icmp, packet.protocol)) continue;
    const what = quoted.protocol === 'tcp' ? 'TCP segment' : quoted.protocol === 'udp' ? 'UDP datagram' : `${quoted.protocol} packet`;
    const name = names.nameOf(quoted.destination);
    const port = quoted.destination.port === undefined ? '' : ` ${quoted.destination.port}`;
    const text = `${what} to closed port${port}${name ? ` (${name})` : ''} answered by ICMP port unreachable`;
    events.push({ timeMs: timeOf(packet), kind: 'port-unreachable', text, packet: packet.index });
  }
  return events;
}

/**
 * Datagrams from the side that spoke first with nothing coming back afterwards: no datagram the other
 * way and no ICMP error quoting them. One event per conversation, at the first such datagram.
 */
function noReplyEvents(packets: DecodedPacket[], names: EndpointNames, timeOf: PacketTime): CaptureEvent[] {
  const conversations = new Map<string, DecodedPacket[]>();
  for (const packet of packets) {
    if (packet.protocol !== 'udp' || packet.source.port === undefined) continue;
    const key = [formatEndpoint(packet.source), formatEndpoint(packet.destination)].sort().join(' ');
    const datagrams = conversations.get(key) ?? [];
    if (datagrams.length === 0) conversations.set(key, datagrams);
    datagrams.push(packet);
  }
  // The last datagram along each source>destination route, and the last ICMP error quoting each route.
  const lastSent = new Map<string, number>();
  const lastQuoted = new Map<string, number>();
  for (const packet of packets) {
    if (packet.protocol === 'udp') lastSent.set(route(packet.source, packet.destination), packet.index);
    const quoted = packet.icmp?.quoted;
    if (quoted?.protocol === 'udp') lastQuoted.set(route(quoted.source, quoted.destination), packet.index);
  }
  const events: CaptureEvent[] = [];
  for (const datagrams of conversations.values()) {
    const first = datagrams[0];
    const request = route(first.source, first.destination);
    const unanswered = datagrams.filter(
      (datagram) =>
        route(datagram.source, datagram.destination) === request &&
        (lastSent.get(route(datagram.destination, datagram.source)) ?? -1) < datagram.index &&
        (lastQuoted.get(request) ?? -1) < datagram.index,
    );
    if (unanswered.length === 0) continue;
    const target = names.describe(first.destination);
    const text =
      unanswered.length === 1
        ? `no reply: UDP datagram to ${target} got no answer`
        : `no reply: ${unanswered.length} UDP datagrams to ${target} got no answer`;
    events.push({ timeMs: timeOf(unanswered[0]), kind: 'no-reply', text, packet: unanswered[0].index });
  }
  return events;
}

function route(source: Endpoint, destination: Endpoint): string {
  return `${formatEndpoint(source)}>${formatEndpoint(destination)}`;
}
