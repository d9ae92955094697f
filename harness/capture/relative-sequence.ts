// Relative sequence numbers, as Wireshark shows them: each direction of a TCP connection counts from
// its own initial sequence number, so a SYN is seq=0 and the first data byte is seq=1.
import type { DecodedPacket } from './decode-packet.js';
import { formatEndpoint } from './endpoint-names.js';

export interface RelativeNumbers {
  seq: number;
  /** Relative to the other direction's initial number; the raw value when that direction is unseen; 0 without ACK. */
  ack: number;
}

/** Relative seq/ack for every TCP packet, by packet index. */
export function relativeSequenceNumbers(packets: DecodedPacket[]): Map<number, RelativeNumbers> {
  const initial = new Map<string, number>();
  const numbers = new Map<number, RelativeNumbers>();
  for (const packet of packets) {
    const tcp = packet.tcp;
    if (!tcp) continue;
    const forward = `${formatEndpoint(packet.source)}>${formatEndpoint(packet.destination)}`;
    const backward = `${formatEndpoint(packet.destination)}>${formatEndpoint(packet.source)}`;
    // A SYN starts the count afresh (a new connection may reuse the same ports).
    if (tcp.flags.includes('SYN') || !initial.has(forward)) initial.set(forward, tcp.seq);
    const seq = (tcp.seq - initial.get(forward)!) >>> 0;
    const other = initial.get(backward);
    const ack = !tcp.flags.includes('ACK') ? 0 : other === undefined ? tcp.ack : (tcp.ack - other) >>> 0;
    numbers.set(packet.index, { seq, ack });
  }
  return numbers;
}
