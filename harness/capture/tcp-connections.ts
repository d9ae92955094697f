// Follows each TCP connection through the capture: who opened it, whether the handshake completed or was
// refused, who sent FIN or RST, and which segments carried new data (retransmissions are left out).
import type { Endpoint } from '../model/capture.js';
import type { DecodedPacket } from './decode-packet.js';
import { formatEndpoint } from './endpoint-names.js';
import type { RelativeNumbers } from './relative-sequence.js';

export interface DataSegment {
  packet: DecodedPacket;
  fromClient: boolean;
  /** Bytes not seen before in this direction. */
  newBytes: number;
}

export interface TcpConnection {
  /** The endpoint that sent the SYN (or the first packet, when the capture began mid-connection). */
  client: Endpoint;
  server: Endpoint;
  syn?: DecodedPacket;
  synAck?: DecodedPacket;
  /** The client's ACK that completed the three-way handshake. */
  handshakeAck?: DecodedPacket;
  /** The server's RST answering a SYN that got no SYN-ACK. */
  refusal?: DecodedPacket;
  /** First FIN and first RST of each side (client first, then server), refusal excluded. */
  fins: DecodedPacket[];
  resets: DecodedPacket[];
  segments: DataSegment[];
}

interface Tracking {
  connection: TcpConnection;
  /** Highest relative sequence number + length seen per direction (true: from the client). */
  highest: Map<boolean, number>;
  ended: boolean;
}

export function trackTcpConnections(packets: DecodedPacket[], relative: Map<number, RelativeNumbers>): TcpConnection[] {
  const current = new Map<string, Tracking>();
  const connections: TcpConnection[] = [];
  for (const packet of packets) {
    const tcp = packet.tcp;
    if (!tcp) continue;
    const key = [formatEndpoint(packet.source), formatEndpoint(packet.destination)].sort().join(' ');
    const isSyn = tcp.flags.includes('SYN') && !tcp.flags.includes('ACK');
    let tracking = current.get(key);
    const isNewSyn = isSyn && (!tracking || tracking.ended || (tracking.connection.syn !== undefined && tracking.connection.syn.tcp!.seq !== tcp.seq));
    if (!tracking || isNewSyn) {
      tracking = { connection: { client: packet.source, server: packet.destination, fins: [], resets: [], segments: [] }, highest: new Map(), ended: false };
      current.set(key, tracking);
      connections.push(tracking.connection);
    }
    follow(tracking, packet, relative.get(packet.index)!);
  }
  return connections;
}

function follow(tracking: Tracking, packet: DecodedPacket, numbers: RelativeNumbers): void {
  const connection = tracking.connection;
  const flags = packet.tcp!.flags;
  const fromClient = formatEndpoint(packet.source) === formatEndpoint(connection.client);
  if (flags.includes('SYN') && !flags.includes('ACK') && fromClient) connection.syn ??= packet;
  if (flags.includes('SYN') && flags.includes('ACK') && !fromClient && connection.syn) connection.synAck ??= packet;
  if (!flags.includes('SYN') && flags.includes('ACK') && fromClient && connection.synAck && !connection.handshakeAck) {
    connection.handshakeAck = packet;
  }
  if (flags.includes('RST')) {
    if (!fromClient && connection.syn && !connection.synAck && !connection.refusal) connection.refusal = packet;
    else if (!connection.resets.some((reset) => sameSender(reset, packet))) connection.resets.push(packet);
    tracking.ended = true;
  }
  if (flags.includes('FIN') && !connection.fins.some((fin) => sameSender(fin, packet))) {
    connection.fins.push(packet);
    if (connection.fins.length === 2) tracking.ended = true;
  }
  if (packet.payloadLength > 0) {
    const end = numbers.seq + packet.payloadLength;
    const highest = tracking.highest.get(fromClient) ?? numbers.seq;
    if (end > highest) {
      connection.segments.push({ packet, fromClient, newBytes: end - Math.max(highest, numbers.seq) });
      tracking.highest.set(fromClient, end);
    }
  }
}

function sameSender(a: DecodedPacket, b: DecodedPacket): boolean {
  return formatEndpoint(a.source) === formatEndpoint(b.source);
}
