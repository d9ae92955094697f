// Relative sequence numbers and windows, as Wireshark shows them: each direction of a TCP connection
// counts from its own initial sequence number (a SYN is seq=0 and the first data byte seq=1; without a
// SYN, from the first number seen minus one), and a window is multiplied by the scale both SYNs
// agreed on. One analysis for the whole capture code: the packet list's (packet-list/tcp-analysis.ts).
import type { DecodedPacket } from './decode-packet.js';
import { TcpAnalyzer } from './packet-list/tcp-analysis.js';

export interface RelativeNumbers {
  seq: number;
  /** Relative to the other direction's initial number (the first it acknowledged, minus one, when unseen); 0 without ACK. */
  ack: number;
  /** The advertised window, scaled. */
  window: number;
}

/** Relative seq/ack and scaled window for every TCP packet, by packet index. `timeMs` gives a packet's time since the first. */
export function relativeSequenceNumbers(packets: DecodedPacket[], timeMs: (packet: DecodedPacket) => number): Map<number, RelativeNumbers> {
  const analyzer = new TcpAnalyzer();
  const numbers = new Map<number, RelativeNumbers>();
  for (const packet of packets) if (packet.tcp) numbers.set(packet.index, analyzer.analyze(packet, packet.index + 1, timeMs(packet)).numbers);
  return numbers;
}
