// TCP as Wireshark's packet list tells it: relative sequence numbers, the window multiplied by the
// scale both SYNs agreed on, the options, and the expert flags Wireshark prefixes to the Info column
// ([TCP Retransmission], [TCP Dup ACK 5#1], [TCP Window Update], …). The rules follow Wireshark's
// sequence analysis with its default preferences, checked against tshark 4.0 on captures made by the
// tests; flags it has and this file lacks (window full, fast retransmission after SACK, …) are not shown.
import type { DecodedPacket } from '../decode-packet.js';
import { formatEndpoint } from '../endpoint-names.js';
import { optionsInfo, readTcpOptions, windowShift } from './tcp-options.js';

/** What one TCP segment contributes to its row and to the application above it. */
export interface TcpSegmentFacts {
  conversation: TcpConversation;
  fromClient: boolean;
  /** `47812 → 40721 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 …`, without the expert flags. */
  info: string;
  /** Expert flags, in the order Wireshark shows them: `[TCP Retransmission]`, … */
  flags: string[];
  /** Payload bytes not seen before in this direction, in order (nothing for a retransmission). */
  newData: Buffer;
  fin: boolean;
  reset: boolean;
  /** Relative sequence and acknowledgement numbers (ack 0 without ACK), and the window as scaled. */
  numbers: { seq: number; ack: number; window: number };
}

/** One TCP conversation (a pair of endpoints, from a SYN to the next SYN that reuses them). */
export interface TcpConversation {
  id: number;
  client: string;
  server: string;
  serverPort: number;
  /** Filled by the application layer: what it decided this conversation speaks. */
  application?: unknown;
}

interface Direction {
  /** Raw sequence number that relative numbers count from. */
  base?: number;
  /** Relative sequence number expected next, once something was sent. */
  nextSeq?: number;
  nextSeqTimeMs: number;
  /** Raw acknowledgement number of this direction's last ACK. */
  lastAck?: number;
  /** This direction's last advertised window, scaled. */
  window?: number;
  shift?: number;
  sawSyn: boolean;
  lastNonDupAck: number;
  dupAcks: number;
}

interface ConversationState {
  conversation: TcpConversation;
  directions: Map<string, Direction>;
  /** Set once both SYNs were seen: whether windows are multiplied by their scale. */
  scaling?: boolean;
  synSeq?: number;
}

/** Wireshark's defaults: a segment within 3 ms of the last is out of order rather than retransmitted. */
const OUT_OF_ORDER_MS = 3;
const FAST_RETRANSMISSION_MS = 20;

export class TcpAnalyzer {
  private readonly states = new Map<string, ConversationState>();
  private nextId = 0;

  /** `frame` is the 1-based frame number; `timeMs` the time since the first frame. */
  analyze(packet: DecodedPacket, frame: number, timeMs: number): TcpSegmentFacts {
    const tcp = packet.tcp!;
    const source = formatEndpoint(packet.source);
    const destination = formatEndpoint(packet.destination);
    const has = (flag: string) => tcp.flags.includes(flag);
    const synOnly = has('SYN') && !has('ACK');
    const key = [source, destination].sort().join(' ');
    let state = this.states.get(key);
    const expert: string[] = [];
    if (state && synOnly && state.synSeq !== undefined && state.synSeq !== tcp.seq) {
      expert.push('[TCP Port numbers reused]');
      state = undefined;
    }
    if (!state) {
      state = {
        conversation: { id: this.nextId++, client: source, server: destination, serverPort: packet.destination.port ?? 0 },
        directions: new Map(),
      };
      this.states.set(key, state);
    }
    if (synOnly) state.synSeq ??= tcp.seq;
    const forward = direction(state, source);
    const reverse = direction(state, destination);

    // Relative numbers: from the SYN's sequence number, else from the first number seen minus one.
    if (has('SYN')) forward.base = tcp.seq;
    forward.base ??= (tcp.seq - 1) >>> 0;
    if (has('ACK')) reverse.base ??= (tcp.ack - 1) >>> 0;
    const seq = relative(tcp.seq, forward.base);
    const ack = has('ACK') ? relative(tcp.ack, reverse.base!) : undefined;

    const options = readTcpOptions(packet.record.data, tcp.headerOffset + 20, tcp.payloadOffset);
    if (has('SYN')) {
      forward.sawSyn = true;
      forward.shift = windowShift(options);
      if (reverse.sawSyn) state.scaling = forward.shift !== undefined && reverse.shift !== undefined;
    }
    const window = !has('SYN') && state.scaling ? tcp.window * 2 ** (forward.shift ?? 0) : tcp.window;
    const length = packet.payloadLength;
    const segmentEnd = seq + length + (has('SYN') ? 1 : 0) + (has('FIN') ? 1 : 0);
    const control = has('SYN') || has('FIN') || has('RST');

    // Wireshark checks these in this order; a zero-window probe ends the checks.
    let probe = false;
    if (length === 1 && seq === forward.nextSeq && reverse.window === 0) {
      expert.push('[TCP ZeroWindowProbe]');
      probe = true;
    }
    if (!probe) {
      if (tcp.window === 0 && !control) expert.push('[TCP ZeroWindow]');
      if (forward.nextSeq !== undefined && seq > forward.nextSeq && !has('RST')) expert.push('[TCP Previous segment not captured]');
    }
    const keepAlive = !probe && length <= 1 && !control && forward.nextSeq !== undefined && seq === forward.nextSeq - 1;
    if (keepAlive) expert.push('[TCP Keep-Alive]');
    const pureAck = !probe && length === 0 && !control && seq === forward.nextSeq && tcp.ack === forward.lastAck && window !== 0;
    let duplicate = false;
    if (pureAck && forward.window !== undefined && forward.window !== 0 && window !== forward.window) expert.push('[TCP Window Update]');
    else if (pureAck && window === forward.window) {
      forward.dupAcks += 1;
      duplicate = true;
      expert.push(`[TCP Dup ACK ${forward.lastNonDupAck}#${forward.dupAcks}]`);
    }
    if (has('ACK') && !duplicate && tcp.ack !== forward.lastAck) {
      forward.lastNonDupAck = frame;
      forward.dupAcks = 0;
    }
    if (has('ACK') && reverse.nextSeq !== undefined && ack! > reverse.nextSeq) expert.unshift('[TCP ACKed unseen segment]');
    const carries = length > 0 || has('SYN') || has('FIN');
    if (!probe && !keepAlive && carries && forward.nextSeq !== undefined && seq < forward.nextSeq) {
      expert.push(retransmissionKind(forward, reverse, seq, segmentEnd, timeMs));
    }

    let newData: Buffer = Buffer.alloc(0);
    if (forward.nextSeq === undefined || segmentEnd > forward.nextSeq) {
      const fresh = forward.nextSeq === undefined ? length : Math.min(length, segmentEnd - forward.nextSeq);
      newData = packet.payload.subarray(Math.max(0, packet.payload.length - fresh));
      forward.nextSeq = segmentEnd;
      forward.nextSeqTimeMs = timeMs;
    }
    if (has('ACK')) forward.lastAck = tcp.ack;
    forward.window = window;

    const flagText = tcp.flags.length > 0 ? tcp.flags.join(', ') : '<None>';
    const peerBase = reverse.base ?? 0;
    const info =
      `${packet.source.port} → ${packet.destination.port} [${flagText}] Seq=${seq}` +
      (ack !== undefined ? ` Ack=${ack}` : '') +
      ` Win=${window}` +
      (has('URG') ? ` Urg=${tcp.urgentPointer}` : '') +
      ` Len=${length}` +
      optionsInfo(options, (sequence) => relative(sequence, peerBase));
    return {
      conversation: state.conversation,
      fromClient: source === state.conversation.client,
      info,
      flags: expert,
      newData,
      fin: has('FIN'),
      reset: has('RST'),
      numbers: { seq, ack: ack ?? 0, window },
    };
  }
}

function retransmissionKind(forward: Direction, reverse: Direction, seq: number, segmentEnd: number, timeMs: number): string {
  const acked = reverse.lastAck !== undefined ? relative(reverse.lastAck, forward.base!) : undefined;
  if (acked !== undefined && segmentEnd <= acked) return '[TCP Spurious Retransmission]';
  if (reverse.dupAcks >= 2 && acked === seq && timeMs - forward.nextSeqTimeMs < FAST_RETRANSMISSION_MS) return '[TCP Fast Retransmission]';
  if (timeMs - forward.nextSeqTimeMs < OUT_OF_ORDER_MS && forward.nextSeq !== segmentEnd) return '[TCP Out-Of-Order]';
  return '[TCP Retransmission]';
}

function direction(state: ConversationState, endpoint: string): Direction {
  let found = state.directions.get(endpoint);
  if (!found) {
    found = { nextSeqTimeMs: 0, sawSyn: false, lastNonDupAck: 0, dupAcks: 0 };
    state.directions.set(endpoint, found);
  }
  return found;
}

function relative(value: number, base: number): number {
  return (value - base) >>> 0;
}
