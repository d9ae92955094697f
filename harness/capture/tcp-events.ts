// TCP connections told in plain words: handshake, refusal, data bursts, FIN and RST.
import type { CaptureEvent } from '../model/capture.js';
import type { DecodedPacket } from './decode-packet.js';
import { formatEndpoint, type EndpointNames } from './endpoint-names.js';
import type { TcpConnection } from './tcp-connections.js';

export type PacketTime = (packet: DecodedPacket) => number;

export function tcpEvents(connections: TcpConnection[], names: EndpointNames, timeOf: PacketTime): CaptureEvent[] {
  const events: CaptureEvent[] = [];
  const event = (kind: CaptureEvent['kind'], packet: DecodedPacket, text: string): CaptureEvent => {
    const made = { timeMs: timeOf(packet), kind, text, packet: packet.index };
    events.push(made);
    return made;
  };
  for (const connection of connections) {
    const client = names.describe(connection.client, 'client');
    const server = names.describe(connection.server, 'server');
    const sender = (packet: DecodedPacket) => (isFromClient(connection, packet) ? client : server);
    if (connection.handshakeAck) {
      event('handshake', connection.handshakeAck, `TCP handshake completed: SYN, SYN-ACK, ACK between ${client} and ${server}`);
    }
    if (connection.refusal) {
      event('refused', connection.refusal, `connection refused: SYN to ${names.describe(connection.server)} answered by RST`);
    }
    for (const fin of connection.fins) event('close', fin, `connection closed: FIN from ${sender(fin)}`);
    for (const reset of connection.resets) event('reset', reset, `connection reset by ${sender(reset)}: RST`);
    // One data event per burst: consecutive new-data segments in the same direction.
    const bursts: { event: CaptureEvent; fromClient: boolean; route: string; bytes: number }[] = [];
    for (const segment of connection.segments) {
      const last = bursts.at(-1);
      if (last && last.fromClient === segment.fromClient) {
        last.bytes += segment.newBytes;
        continue;
      }
      const route = segment.fromClient ? `${client} → ${server}` : `${server} → ${client}`;
      bursts.push({ event: event('data', segment.packet, ''), fromClient: segment.fromClient, route, bytes: segment.newBytes });
    }
    for (const burst of bursts) burst.event.text = `data: ${burst.route} ${bytes(burst.bytes)}`;
  }
  return events;
}

function isFromClient(connection: TcpConnection, packet: DecodedPacket): boolean {
  return formatEndpoint(packet.source) === formatEndpoint(connection.client);
}

export function bytes(count: number): string {
  return count === 1 ? '1 byte' : `${count} bytes`;
}
