// A pcap file as Wireshark's packet list: the seven columns of each frame, written as `tshark -r FILE`
// writes them (with the Decode As rules returned beside the rows). Two passes: the first follows every
// TCP conversation, so that the second knows which ones speak HTTP or SMTP before it writes a row.
import type { DecodeAsRule, PacketList, PacketListRow } from '../../model/packet-list.js';
import { decodePacket, type DecodedPacket } from '../decode-packet.js';
import { readPcap, type PcapCapture, type PcapRecord } from '../read-pcap.js';
import { REASSEMBLED, type ApplicationDecoder, type ApplicationVerdict } from './application-decoder.js';
import { HttpDecoder, looksLikeHttp } from './http-decoder.js';
import { IcmpInfo } from './icmp-info.js';
import { looksLikeSmtp, SMTP_PORTS, SmtpDecoder } from './smtp-decoder.js';
import { TcpAnalyzer, type TcpConversation, type TcpSegmentFacts } from './tcp-analysis.js';

/**
 * Lab ports that Wireshark gives to another protocol by default (from `tshark -G decodes`): its list
 * would show the lab's datagrams as that protocol's garbage, so the pack says to decode them as data.
 */
const PORTS_WIRESHARK_MISREADS: Record<string, string> = { 'udp.port 12000': 'LLC (a Cisco tunnel)', 'udp.port 8000': 'OICQ' };

export async function readPacketList(file: string): Promise<PacketList> {
  return buildPacketList(await readPcap(file));
}

export function buildPacketList(capture: PcapCapture): PacketList {
  const packets = capture.records.map((record, index) => decodePacket(capture.linkType, record, index));
  const first = capture.records[0];
  const timeMs = (record: PcapRecord) => (record.seconds - first.seconds) * 1000 + (record.nanoseconds - first.nanoseconds) / 1e6;
  const analyzer = new TcpAnalyzer();
  const segments = new Map<number, TcpSegmentFacts>();
  for (const packet of packets) {
    if (packet.tcp && !packet.note) segments.set(packet.index, analyzer.analyze(packet, packet.index + 1, timeMs(packet.record)));
  }
  const decodeAs = new Map<string, DecodeAsRule>();
  const decoders = chooseDecoders([...segments.values()], decodeAs);
  const icmp = new IcmpInfo();
  const rows = packets.map((packet): PacketListRow => {
    const facts = segments.get(packet.index);
    const row = facts
      ? tcpRow(facts, decoders.get(facts.conversation)?.segment(facts))
      : otherRow(packet, capture.linkType, icmp, decodeAs);
    return {
      number: packet.index + 1,
      time: relativeTime(packet.record, first, capture.resolution === 'nanoseconds'),
      source: packet.source.host,
      destination: packet.destination.host,
      length: packet.record.originalLength,
      ...row,
    };
  });
  return { rows, decodeAs: [...decodeAs.values()] };
}

type RowColumns = Pick<PacketListRow, 'protocol' | 'info' | 'tone'>;

function tcpRow(facts: TcpSegmentFacts, verdict: ApplicationVerdict): RowColumns {
  const prefix = facts.flags.map((flag) => `${flag} `).join('');
  // Wireshark's "Bad TCP" colouring leaves out window updates and keep-alives.
  const bad = facts.flags.some((flag) => !/Window Update|Keep-Alive|Port numbers reused/.test(flag));
  const tone = bad ? 'problem' : facts.reset ? 'reset' : verdict?.kind === 'message' && verdict.protocol.startsWith('HTTP') ? 'http' : facts.info.includes('SYN') || facts.fin ? 'syn-fin' : 'tcp';
  if (verdict?.kind === 'message') return { protocol: verdict.protocol, info: `${prefix}${verdict.info}`, tone };
  if (verdict?.kind === 'segment') {
    const info = verdict.firstLine !== undefined ? `${verdict.firstLine}  ${REASSEMBLED}` : `${facts.info} ${REASSEMBLED}`;
    return { protocol: 'TCP', info: `${prefix}${info}`, tone };
  }
  return { protocol: 'TCP', info: `${prefix}${facts.info}`, tone };
}

function otherRow(packet: DecodedPacket, linkType: number, icmp: IcmpInfo, decodeAs: Map<string, DecodeAsRule>): RowColumns {
  if (packet.note) return { protocol: packet.note === 'ARP' ? 'ARP' : 'Unknown', info: packet.note, tone: 'other' };
  if (packet.protocol === 'udp') {
    for (const port of [packet.source.port!, packet.destination.port!]) {
      const misread = PORTS_WIRESHARK_MISREADS[`udp.port ${port}`];
      if (misread) decodeAs.set(`udp.port ${port}`, { layer: 'udp.port', port, protocol: 'data', reason: `Wireshark reads UDP port ${port} as ${misread} unless told otherwise` });
    }
    return { protocol: 'UDP', info: `${packet.source.port} → ${packet.destination.port} Len=${packet.payloadLength}`, tone: 'udp' };
  }
  if (packet.icmp) {
    const error = packet.protocol === 'icmp' ? [3, 4, 5, 11, 12].includes(packet.icmp.type) : packet.icmp.type < 128;
    return { protocol: packet.protocol === 'icmp6' ? 'ICMPv6' : 'ICMP', info: icmp.describe(packet, linkType, packet.index + 1), tone: error ? 'icmp-error' : 'icmp' };
  }
  return { protocol: packet.protocol.toUpperCase(), info: packet.protocol.toUpperCase(), tone: 'other' };
}

/** Which conversations speak HTTP (Wireshark finds those by itself) or SMTP (on other ports, it must be told). */
function chooseDecoders(segments: TcpSegmentFacts[], decodeAs: Map<string, DecodeAsRule>): Map<TcpConversation, ApplicationDecoder> {
  const firstData = new Map<TcpConversation, { client?: Buffer; server?: Buffer }>();
  for (const facts of segments) {
    const seen = firstData.get(facts.conversation) ?? {};
    firstData.set(facts.conversation, seen);
    if (facts.newData.length === 0) continue;
    if (facts.fromClient) seen.client ??= facts.newData;
    else seen.server ??= facts.newData;
  }
  const decoders = new Map<TcpConversation, ApplicationDecoder>();
  for (const [conversation, seen] of firstData) {
    const port = conversation.serverPort;
    if (SMTP_PORTS.has(port) || looksLikeSmtp(seen.server, seen.client)) {
      decoders.set(conversation, new SmtpDecoder());
      if (!SMTP_PORTS.has(port)) decodeAs.set(`tcp.port ${port}`, { layer: 'tcp.port', port, protocol: 'smtp', reason: `SMTP on port ${port}, which Wireshark does not know as SMTP` });
    } else if (looksLikeHttp(port, seen.client)) {
      decoders.set(conversation, new HttpDecoder());
    }
  }
  return decoders;
}

/** Seconds since the first frame with the file's precision, as tshark's Time column. */
function relativeTime(record: PcapRecord, first: PcapRecord, nanoseconds: boolean): string {
  const total = BigInt(record.seconds - first.seconds) * 1_000_000_000n + BigInt(record.nanoseconds - first.nanoseconds);
  const negative = total < 0n;
  const magnitude = negative ? -total : total;
  const digits = nanoseconds ? 9 : 6;
  const fraction = nanoseconds ? magnitude % 1_000_000_000n : (magnitude % 1_000_000_000n) / 1000n;
  return `${negative ? '-' : ''}${magnitude / 1_000_000_000n}.${fraction.toString().padStart(digits, '0')}`;
}
