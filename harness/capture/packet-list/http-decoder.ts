// HTTP/1.x on one TCP conversation, framed the way Wireshark reassembles it: headers up to the blank
// line, then a body of Content-Length bytes, chunks, or everything until the server's FIN. The row that
// completes a message shows its first line (`GET /a.html HTTP/1.1 `, with Wireshark's trailing space)
// and what the body is (` (text/html)`); the rows before it are TCP segments of a reassembled PDU.
import { firstLineOf, mediaSuffix, type ApplicationDecoder, type ApplicationVerdict } from './application-decoder.js';
import type { TcpSegmentFacts } from './tcp-analysis.js';

const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/\d\.\d$/;
const STATUS_LINE = /^HTTP\/\d\.\d \d{3}/;
/** Ports Wireshark decodes as HTTP whatever the bytes (its `http.tcp.port` default range). */
export const HTTP_PORTS = new Set([80, 1900, 2710, 2869, 3128, 3132, 5985, 8080, 8088, 11371]);

/** Whether a conversation is HTTP to Wireshark: a known port, or a first line that looks like HTTP (its heuristic). */
export function looksLikeHttp(serverPort: number, firstClientBytes: Buffer | undefined): boolean {
  if (HTTP_PORTS.has(serverPort)) return true;
  return firstClientBytes !== undefined && REQUEST_LINE.test(firstLineOf(firstClientBytes));
}

type BodyLength = number | 'chunked' | 'until-close';

interface Message {
  firstLine: string;
  head: Buffer;
  headDone: boolean;
  body: BodyLength;
  contentType?: string;
  bodyStart: Buffer;
  chunks?: ChunkReader;
}

export class HttpDecoder implements ApplicationDecoder {
  private readonly pending = new Map<boolean, Message>();
  /** Methods of requests not answered yet: a response to HEAD has no body. */
  private readonly methods: string[] = [];

  segment(facts: TcpSegmentFacts): ApplicationVerdict {
    const fromClient = facts.fromClient;
    let data = facts.newData;
    const completed: Array<{ protocol: string; info: string }> = [];
    let startedHere: string | undefined;
    while (data.length > 0) {
      let message = this.pending.get(fromClient);
      if (!message) {
        const line = firstLineOf(data);
        if (!(fromClient ? REQUEST_LINE : STATUS_LINE).test(line)) {
          completed.push({ protocol: 'HTTP', info: 'Continuation' });
          break;
        }
        message = { firstLine: line, head: Buffer.alloc(0), headDone: false, body: 0, bodyStart: Buffer.alloc(0) };
        this.pending.set(fromClient, message);
        startedHere = line;
      }
      if (!message.headDone) {
        message.head = Buffer.concat([message.head, data]);
        const end = headEnd(message.head);
        if (end === undefined) break;
        data = message.head.subarray(end);
        this.readHead(message, message.head.subarray(0, end).toString('latin1'), fromClient);
      }
      data = consumeBody(message, data);
      if (message.body !== 0) break;
      completed.push(this.finish(fromClient, message));
      startedHere = undefined;
    }
    const open = this.pending.get(fromClient);
    if (facts.fin && open?.headDone && open.body === 'until-close') completed.push(this.finish(fromClient, open));
    if (completed.length > 0) return { kind: 'message', protocol: completed[0].protocol, info: completed.map((part) => part.info).join('') };
    if (this.pending.has(fromClient) && facts.newData.length > 0) return { kind: 'segment', firstLine: startedHere };
    return undefined;
  }

  private readHead(message: Message, head: string, fromClient: boolean): void {
    message.headDone = true;
    const headers = new Map<string, string>();
    for (const line of head.split(/\r?\n/).slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    message.contentType = headers.get('content-type');
    const length = headers.get('content-length');
    const chunked = /chunked/i.test(headers.get('transfer-encoding') ?? '');
    if (fromClient) {
      this.methods.push(message.firstLine.split(' ')[0]);
      message.body = chunked ? 'chunked' : Number(length ?? 0) || 0;
    } else {
      const status = Number(message.firstLine.split(' ')[1]);
      const method = this.methods.shift();
      const noBody = method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304;
      message.body = noBody ? 0 : chunked ? 'chunked' : length !== undefined ? Number(length) || 0 : 'until-close';
    }
    if (message.body === 'chunked') message.chunks = new ChunkReader();
  }

  private finish(fromClient: boolean, message: Message): { protocol: string; info: string } {
    this.pending.delete(fromClient);
    const media = message.bodyStart.length > 0 ? mediaSuffix(message.contentType, message.bodyStart) : { suffix: '' };
    return { protocol: media.protocol ? `HTTP/${media.protocol}` : 'HTTP', info: `${message.firstLine} ${media.suffix}` };
  }
}

/** Where the head ends (after its blank line), or undefined while it is incomplete. */
function headEnd(head: Buffer): number | undefined {
  const crlf = head.indexOf('\r\n\r\n');
  const lf = head.indexOf('\n\n');
  const ends = [crlf === -1 ? undefined : crlf + 4, lf === -1 ? undefined : lf + 2].filter((end): end is number => end !== undefined);
  return ends.length > 0 ? Math.min(...ends) : undefined;
}

/** Takes what belongs to the body from `data`; returns the rest (the next message's start). */
function consumeBody(message: Message, data: Buffer): Buffer {
  const keep = (bytes: Buffer) => {
    if (message.bodyStart.length < 32) message.bodyStart = Buffer.concat([message.bodyStart, bytes.subarray(0, 32)]);
  };
  if (message.body === 'until-close') {
    keep(data);
    return Buffer.alloc(0);
  }
  if (message.body === 'chunked') {
    const used = message.chunks!.feed(data);
    keep(data.subarray(0, used));
    if (message.chunks!.done) message.body = 0;
    return data.subarray(used);
  }
  const taken = Math.min(message.body, data.length);
  keep(data.subarray(0, taken));
  message.body -= taken;
  return data.subarray(taken);
}

/** Follows chunked transfer coding far enough to know where the body ends. */
class ChunkReader {
  done = false;
  private line = '';
  private remaining = 0;
  private state: 'size' | 'data' | 'data-end' | 'trailer' = 'size';

  /** Bytes of `data` that belong to the body. */
  feed(data: Buffer): number {
    let at = 0;
    while (at < data.length && !this.done) {
      if (this.state === 'data') {
        const taken = Math.min(this.remaining, data.length - at);
        at += taken;
        this.remaining -= taken;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      const byte = data[at++];
      if (byte !== 0x0a) {
        this.line += String.fromCharCode(byte);
        continue;
      }
      const line = this.line.replace(/\r$/, '');
      this.line = '';
      if (this.state === 'size') {
        this.remaining = parseInt(line, 16) || 0;
        this.state = this.remaining === 0 ? 'trailer' : 'data';
      } else if (this.state === 'data-end') {
        this.state = 'size';
      } else if (line === '') {
        this.done = true;
      }
    }
    return at;
  }
}
