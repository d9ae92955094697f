// A capture as Wireshark's packet list shows it: one row per frame with the columns No., Time, Source,
// Destination, Protocol, Length and Info, written the way Wireshark writes them, so that the hand-in
// pack can stand in for a Wireshark screenshot and agree with `tshark -r FILE` line for line.

export interface PacketListRow {
  /** Frame number, from 1. */
  number: number;
  /** Seconds since the first frame, with the file's precision: `1.182584` (µs) or `1.182584123` (ns). */
  time: string;
  /** Network addresses (`127.0.0.1`, `::1`), or `-` for a frame that is not IP. */
  source: string;
  destination: string;
  /** Wireshark's name of the highest layer it decodes: `TCP`, `UDP`, `ICMP`, `HTTP`, `SMTP`, `SMTP/IMF`. */
  protocol: string;
  /** Bytes on the wire (the frame's original length). */
  length: number;
  /** `47812 → 40721 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 …`, `GET /index.html HTTP/1.1 `, `S: 220 …`. */
  info: string;
  /** How the row is drawn: the colouring Wireshark's default rules would give it, roughly. */
  tone: 'tcp' | 'syn-fin' | 'reset' | 'udp' | 'icmp-error' | 'icmp' | 'http' | 'smtp' | 'problem' | 'other';
}

/**
 * A port Wireshark must be told how to decode to show the list as socklab does (Analyze → Decode As…,
 * or `tshark -d tcp.port==P,smtp`): an SMTP server on a port that is not 25 or 587, or a lab port that
 * Wireshark assigns to another protocol by default (UDP 12000 is Cisco's LLC tunnel there).
 */
export interface DecodeAsRule {
  layer: 'tcp.port' | 'udp.port';
  port: number;
  /** tshark's name for the protocol: `smtp`, or `data` for "none". */
  protocol: string;
  /** Why, in a few words: "SMTP on a port Wireshark does not know", "Wireshark reads UDP 12000 as LLC". */
  reason: string;
}

export interface PacketList {
  rows: PacketListRow[];
  decodeAs: DecodeAsRule[];
}
