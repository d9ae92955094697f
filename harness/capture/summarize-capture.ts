// A pcap file as the result model's CaptureSummary: each packet in one line, the conversations, and the
// notable events in plain words. This is the stage between tcpdump's file and the reporters.
import type { CaptureEvent, CaptureSummary, PacketSummary } from '../model/capture.js';
import { applicationEvents } from './application-events.js';
import { buildConversations, round } from './conversations.js';
import { linkTypeName } from './decode-link.js';
import { decodePacket, type DecodedPacket } from './decode-packet.js';
import { formatEndpoint, EndpointNames } from './endpoint-names.js';
import { payloadPreview } from './payload-preview.js';
import { readPcap, type PcapCapture } from './read-pcap.js';
import { relativeSequenceNumbers, type RelativeNumbers } from './relative-sequence.js';
import { trackTcpConnections } from './tcp-connections.js';
import { tcpEvents } from './tcp-events.js';
import { udpEvents } from './udp-events.js';

export interface SummaryOptions {
  /** Names for endpoints in event texts, keyed `host:port`: `{ "127.0.0.1:40123": "tcp-server" }`. */
  endpointNames: Record<string, string>;
  /** How many packets to list (all are counted and used for events). Default 500. */
  maxPackets?: number;
}

export const DEFAULT_MAX_PACKETS = 500;

/** Reads and explains a classic pcap file. Throws PcapReadError when the file is not one. */
export async function summarizeCapture(file: string, options: SummaryOptions): Promise<CaptureSummary> {
  return summarizePcap(await readPcap(file), options);
}

export function summarizePcap(capture: PcapCapture, options: SummaryOptions): CaptureSummary {
  const packets = capture.records.map((record, index) => decodePacket(capture.linkType, record, index));
  const first = capture.records[0];
  const timeOf = (packet: DecodedPacket): number =>
    round((packet.record.seconds - first.seconds) * 1000 + (packet.record.nanoseconds - first.nanoseconds) / 1e6);
  const names = new EndpointNames(options.endpointNames);
  const relative = relativeSequenceNumbers(packets, timeOf);
  const connections = trackTcpConnections(packets, relative);
  const events: CaptureEvent[] = [
    ...tcpEvents(connections, names, timeOf),
    ...udpEvents(packets, names, timeOf),
    ...applicationEvents(connections, timeOf),
  ];
  // Stable sort: events read from the same packet keep the order they were found in.
  events.sort((a, b) => a.packet - b.packet);
  const maxPackets = options.maxPackets ?? DEFAULT_MAX_PACKETS;
  return {
    linkType: linkTypeName(capture.linkType),
    packetCount: packets.length,
    packets: packets.slice(0, maxPackets).map((packet) => packetSummary(packet, timeOf(packet), relative.get(packet.index))),
    conversations: buildConversations(packets, timeOf),
    events,
  };
}

function packetSummary(packet: DecodedPacket, timeMs: number, numbers: RelativeNumbers | undefined): PacketSummary {
  const summary: PacketSummary = {
    index: packet.index,
    timeMs,
    source: packet.source,
    destination: packet.destination,
    protocol: packet.protocol,
    payloadLength: packet.payloadLength,
    info: infoLine(packet, numbers),
  };
  if (packet.tcp && numbers) {
    summary.tcp = { flags: packet.tcp.flags, seq: numbers.seq, ack: numbers.ack, window: numbers.window };
  }
  if (packet.icmp) summary.icmp = packet.icmp;
  if (packet.payload.length > 0) summary.payloadPreview = payloadPreview(packet.payload);
  return summary;
}

/** After Wireshark's Info column, shorter: `SYN seq=0 win=65495`, `PSH, ACK len=11 seq=1 ack=1 win=65536` (relative numbers, scaled window), `UDP len=5`. */
export function infoLine(packet: DecodedPacket, numbers: RelativeNumbers | undefined): string {
  if (packet.note) return packet.note;
  if (packet.tcp && numbers) {
    const { flags } = packet.tcp;
    const { window } = numbers;
    const parts = [flags.length > 0 ? flags.join(', ') : '(no flags)'];
    if (packet.payloadLength > 0) parts.push(`len=${packet.payloadLength}`);
    parts.push(`seq=${numbers.seq}`);
    if (flags.includes('ACK')) parts.push(`ack=${numbers.ack}`);
    parts.push(`win=${window}`);
    return parts.join(' ');
  }
  if (packet.protocol === 'udp') return `UDP len=${packet.payloadLength}`;
  if (packet.icmp) {
    const name = packet.protocol === 'icmp6' ? 'ICMPv6' : 'ICMP';
    const { description, quoted } = packet.icmp;
    // "destination unreachable: port unreachable" reads better as just "port unreachable".
    const what = description.startsWith('destination unreachable: ') ? description.slice('destination unreachable: '.length) : description;
    const about = quoted ? ` (for ${quoted.protocol.toUpperCase()} ${formatEndpoint(quoted.destination)})` : '';
    return `${name} ${what}${about}`;
  }
  return packet.protocol.toUpperCase();
}
