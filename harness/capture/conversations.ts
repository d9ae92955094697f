// Packets grouped by conversation, as in Wireshark's Statistics → Conversations: one entry per protocol
// and pair of endpoints, whichever way a packet goes. `a` is the endpoint that spoke first.
import type { Conversation } from '../model/capture.js';
import type { DecodedPacket } from './decode-packet.js';
import { formatEndpoint } from './endpoint-names.js';
import type { PacketTime } from './tcp-events.js';

export function conversationKey(packet: DecodedPacket): string {
  const ends = [formatEndpoint(packet.source), formatEndpoint(packet.destination)].sort();
  return `${packet.protocol} ${ends.join(' ')}`;
}

export function buildConversations(packets: DecodedPacket[], timeOf: PacketTime): Conversation[] {
  const byKey = new Map<string, Conversation>();
  for (const packet of packets) {
    if (packet.ipVersion === undefined) continue;
    const key = conversationKey(packet);
    const timeMs = timeOf(packet);
    const conversation = byKey.get(key);
    // Bytes are whole frames as they were on the wire, like Wireshark's column.
    const frameBytes = packet.record.originalLength;
    if (!conversation) {
      byKey.set(key, { protocol: packet.protocol, a: packet.source, b: packet.destination, packets: 1, bytes: frameBytes, startMs: timeMs, durationMs: 0 });
      continue;
    }
    conversation.packets += 1;
    conversation.bytes += frameBytes;
    conversation.durationMs = round(timeMs - conversation.startMs);
  }
  return [...byKey.values()];
}

/** Milliseconds to the microsecond: enough for a loopback capture, short in JSON. */
export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
