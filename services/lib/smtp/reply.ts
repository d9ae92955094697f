// SMTP replies (RFC 5321 §4.2): one or more lines "CODE-text" ending with a line "CODE text" (or
// just "CODE"). TCP delivers bytes, not lines, so a reply may arrive split over several chunks, and
// one chunk may hold several replies (a server answering pipelined commands); the parser below keeps
// whatever is incomplete until the next chunk.

/** A complete reply: its code and the text of each line (without "CODE-" / "CODE "). */
export interface SmtpReply {
  code: number;
  lines: string[];
  /** The lines as the server sent them, for the transcript. */
  rawLines: string[];
}

/** A reply line that is not "DDD", "DDD text" or "DDD-text", or a multi-line reply changing its code. */
export class SmtpProtocolError extends Error {}

const NEWLINE = 0x0a;
const REPLY_LINE = /^([2-5]\d\d)(?:([ -])(.*))?$/;
// RFC 5321 §4.5.3.1.5 caps a reply line at 512 bytes; allow far more before deciding a peer that never
// sends a newline is not an SMTP server at all.
const LONGEST_LINE_BYTES = 64 * 1024;

/** "250 2.0.0 Ok: queued" for messages: the code and every line's text joined by spaces. */
export function formatReply(reply: SmtpReply): string {
  const text = reply.lines.filter((line) => line !== '').join(' ');
  return text === '' ? String(reply.code) : `${reply.code} ${text}`;
}

export class SmtpReplyParser {
  private partialLine: Buffer = Buffer.alloc(0);
  private pending: { code: number; lines: string[]; rawLines: string[] } | undefined;

  /** True when every byte received so far belonged to a complete reply (STARTTLS checks this). */
  get isIdle(): boolean {
    return this.partialLine.length === 0 && this.pending === undefined;
  }

  /** Feeds a chunk; returns the replies it completed, in order. Throws SmtpProtocolError. */
  push(chunk: Buffer): SmtpReply[] {
    const replies: SmtpReply[] = [];
    let bytes = this.partialLine.length > 0 ? Buffer.concat([this.partialLine, chunk]) : chunk;
    for (let newlineAt = bytes.indexOf(NEWLINE); newlineAt !== -1; newlineAt = bytes.indexOf(NEWLINE)) {
      // Lines end in CRLF; a bare LF is accepted too, since being strict here helps no one.
      const end = newlineAt > 0 && bytes[newlineAt - 1] === 0x0d ? newlineAt - 1 : newlineAt;
      const reply = this.takeLine(bytes.subarray(0, end).toString('utf8'));
      if (reply) replies.push(reply);
      bytes = bytes.subarray(newlineAt + 1);
    }
    if (bytes.length > LONGEST_LINE_BYTES) {
      throw new SmtpProtocolError(`the server sent ${bytes.length} bytes without a line break; is it an SMTP server?`);
    }
    this.partialLine = Buffer.from(bytes);
    return replies;
  }

  private takeLine(line: string): SmtpReply | undefined {
    const match = REPLY_LINE.exec(line);
    if (!match) {
      throw new SmtpProtocolError(`unexpected reply line ${JSON.stringify(line)}: expected a 3-digit code 200–599, then "-" or " " and text`);
    }
    const code = Number(match[1]);
    if (this.pending && this.pending.code !== code) {
      throw new SmtpProtocolError(`reply line ${JSON.stringify(line)} changes the code of a multi-line ${this.pending.code} reply`);
    }
    const reply = this.pending ?? { code, lines: [], rawLines: [] };
    reply.lines.push(match[3] ?? '');
    reply.rawLines.push(line);
    if (match[2] === '-') {
      this.pending = reply;
      return undefined;
    }
    this.pending = undefined;
    return reply;
  }
}

/** EHLO keywords (upper-case) mapped to their parameters, e.g. AUTH → ["PLAIN", "LOGIN"]. */
export type Capabilities = Map<string, string[]>;

/** Reads the extensions from an EHLO reply; its first line is the server's name, not an extension. */
export function parseCapabilities(ehloReply: SmtpReply): Capabilities {
  const capabilities: Capabilities = new Map();
  for (const line of ehloReply.lines.slice(1)) {
    // Some old servers write "AUTH=PLAIN LOGIN" (pre-RFC 4954 Outlook clients expected it).
    const [keyword, ...parameters] = line.trim().split(/[\s=]+/);
    if (!keyword) continue;
    const known = capabilities.get(keyword.toUpperCase()) ?? [];
    capabilities.set(keyword.toUpperCase(), [...known, ...parameters.map((parameter) => parameter.toUpperCase())]);
  }
  return capabilities;
}

export function describeCapabilities(capabilities: Capabilities): string {
  return capabilities.size === 0 ? 'none' : [...capabilities.keys()].join(', ');
}
