// What the bytes on a TCP connection say: HTTP request and status lines, and the SMTP dialog (commands
// and replies, first line of each payload). Only new data is read, so a retransmission is not told twice.
import type { CaptureEvent } from '../model/capture.js';
import { firstLine } from './payload-preview.js';
import type { DataSegment, TcpConnection } from './tcp-connections.js';
import { bytes, type PacketTime } from './tcp-events.js';

const HTTP_REQUEST = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE) \S/;
const HTTP_STATUS = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/;
const SMTP_GREETING = /^220(?:[ -]|$)/;
/** The line that ends an SMTP message body: a dot alone, at the start or after a line break. */
const SMTP_BODY_END = /(?:^|\n)\.\r?\n/;

export function applicationEvents(connections: TcpConnection[], timeOf: PacketTime): CaptureEvent[] {
  const events: CaptureEvent[] = [];
  for (const connection of connections) {
    const make = (kind: CaptureEvent['kind'], segment: DataSegment, text: string): CaptureEvent => {
      const event = { timeMs: timeOf(segment.packet), kind, text, packet: segment.packet.index };
      events.push(event);
      return event;
    };
    if (looksLikeSmtp(connection)) smtpEvents(connection, make);
    else httpEvents(connection, make);
  }
  return events;
}

type MakeEvent = (kind: CaptureEvent['kind'], segment: DataSegment, text: string) => CaptureEvent;

function httpEvents(connection: TcpConnection, make: MakeEvent): void {
  for (const segment of connection.segments) {
    const line = firstLine(segment.packet.payload);
    if (segment.fromClient && HTTP_REQUEST.test(line)) make('http-request', segment, `HTTP ${line}`);
    const status = segment.fromClient ? null : HTTP_STATUS.exec(line);
    if (status) make('http-response', segment, `HTTP ${status[1]}${status[2] ? ` ${status[2]}` : ''}`);
  }
}

/** SMTP servers speak first, with a 220 greeting. */
function looksLikeSmtp(connection: TcpConnection): boolean {
  const first = connection.segments.find((segment) => !segment.fromClient);
  return first !== undefined && SMTP_GREETING.test(firstLine(first.packet.payload));
}

function smtpEvents(connection: TcpConnection, make: MakeEvent): void {
  // After a 354 reply the client sends the message itself, which is not a command: it is told once, by size.
  let inBody = false;
  let body: { event: CaptureEvent; bytes: number } | undefined;
  for (const segment of connection.segments) {
    const payload = segment.packet.payload;
    if (!segment.fromClient) {
      const line = firstLine(payload);
      make('smtp-reply', segment, `SMTP ${line}`);
      if (line.startsWith('354')) inBody = true;
      continue;
    }
    if (inBody) {
      if (body) body.bytes += segment.newBytes;
      else body = { event: make('smtp-command', segment, ''), bytes: segment.newBytes };
      body.event.text = `SMTP message body, ${bytes(body.bytes)}`;
      if (SMTP_BODY_END.test(payload.toString('latin1'))) [inBody, body] = [false, undefined];
      continue;
    }
    make('smtp-command', segment, `SMTP ${firstLine(payload)}`);
  }
}
