// The capture part of the result model: what tcpdump saw during one experiment, decoded and told in
// plain words. Reporters (HTML ladder diagrams, console) read only these types.
import type { ExpectationResult } from './expectation.js';

export interface Endpoint {
  host: string;
  /** Absent for ICMP. */
  port?: number;
}

export type TransportProtocol = 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'other';

export interface TcpInfo {
  /** Flag names in the header's bit order, as Wireshark lists them: FIN, SYN, RST, PSH, ACK, URG, ECE, CWR. */
  flags: string[];
  /** Relative sequence and acknowledgement numbers, as Wireshark shows them. */
  seq: number;
  ack: number;
  /** The advertised window multiplied by the scale both SYNs agreed on. */
  window: number;
}

export interface IcmpInfo {
  type: number;
  code: number;
  /** e.g. "destination unreachable: port unreachable". */
  description: string;
  /** The datagram quoted inside an ICMP error: whose packet it answers. */
  quoted?: { protocol: TransportProtocol; source: Endpoint; destination: Endpoint };
}

export interface PacketSummary {
  index: number;
  /** Milliseconds since the first packet of the capture. */
  timeMs: number;
  source: Endpoint;
  destination: Endpoint;
  protocol: TransportProtocol;
  /** Transport payload bytes (TCP/UDP data), 0 for pure control packets. */
  payloadLength: number;
  tcp?: TcpInfo;
  icmp?: IcmpInfo;
  /** One line like Wireshark's Info column: `SYN seq=0 win=65495`, `HTTP GET /index.html`. */
  info: string;
  /** Printable start of the payload (control characters escaped), at most ~120 characters. */
  payloadPreview?: string;
}

export interface Conversation {
  protocol: TransportProtocol;
  a: Endpoint;
  b: Endpoint;
  packets: number;
  bytes: number;
  startMs: number;
  durationMs: number;
}

export type CaptureEventKind =
  | 'handshake'
  | 'refused'
  | 'port-unreachable'
  | 'no-reply'
  | 'data'
  | 'close'
  | 'reset'
  | 'http-request'
  | 'http-response'
  | 'smtp-command'
  | 'smtp-reply';

/** Something notable, in plain words: "connection refused: SYN answered by RST". */
export interface CaptureEvent {
  timeMs: number;
  kind: CaptureEventKind;
  text: string;
  /** Index of the packet it is read from. */
  packet: number;
}

export interface CaptureSummary {
  linkType: string;
  packetCount: number;
  /** Packets listed (capped; `packetCount` has the total). */
  packets: PacketSummary[];
  conversations: Conversation[];
  events: CaptureEvent[];
}

export interface CaptureResult {
  status: 'captured' | 'skipped' | 'failed';
  /** Why it was skipped or failed, with what to do: "tcpdump not found: install it (apt-get install tcpdump)". */
  reason?: string;
  /** The pcap file, relative to the report folder. */
  pcapFile?: string;
  interface?: string;
  filter?: string;
  /** Names for endpoints in reports: "127.0.0.1:40123" → "tcp-server". */
  endpointNames: Record<string, string>;
  summary?: CaptureSummary;
  /** The spec's `capture.expect` checks, when it has any and the capture could be read. */
  expectations?: ExpectationResult[];
  /** Caveats: packets tcpdump dropped, a final flush it could not confirm. */
  notes?: string[];
}
