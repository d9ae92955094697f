// SMTP on one TCP conversation as Wireshark shows it: `C: MAIL FROM:<a@b>`, `S: 250-mx hello | PIPELINING`
// (the lines of a reply joined, the code written once), `C: DATA fragment, 59 bytes` for the message
// while it is sent, and on its last segment the message itself (SMTP/IMF: `from: …, subject: …, `).
// After STARTTLS is accepted the bytes are TLS, which this decoder leaves as plain TCP rows.
import { firstLineOf, linesOf, mediaSuffix, type ApplicationDecoder, type ApplicationVerdict } from './application-decoder.js';
import type { TcpSegmentFacts } from './tcp-analysis.js';

/** Ports Wireshark decodes as SMTP without being told. */
export const SMTP_PORTS = new Set([25, 587]);

/** The server greets with 220 and the client answers EHLO or HELO. */
export function looksLikeSmtp(firstServerBytes: Buffer | undefined, firstClientBytes: Buffer | undefined): boolean {
  if (!firstServerBytes || !firstClientBytes) return false;
  return /^220[ -]/.test(firstLineOf(firstServerBytes)) && /^(EHLO|HELO) /i.test(firstLineOf(firstClientBytes));
}

/** Message headers that Wireshark's IMF dissector writes in the Info column. */
const HEADERS_IN_INFO = new Set(['from', 'subject']);
const END_OF_DATA = /(^|\r?\n)\.\r?\n$/;

export class SmtpDecoder implements ApplicationDecoder {
  private mode: 'commands' | 'data' | 'tls' = 'commands';
  private awaiting: 'data' | 'starttls' | undefined;
  private message = Buffer.alloc(0);

  segment(facts: TcpSegmentFacts): ApplicationVerdict {
    const data = facts.newData;
    if (data.length === 0 || this.mode === 'tls') return undefined;
    if (!facts.fromClient) return { kind: 'message', protocol: 'SMTP', info: `S: ${this.reply(data)}` };
    if (this.mode === 'data') {
      this.message = Buffer.concat([this.message, data]);
      if (!END_OF_DATA.test(this.message.toString('latin1'))) return { kind: 'message', protocol: 'SMTP', info: `C: DATA fragment, ${data.length} bytes` };
      this.mode = 'commands';
      return { kind: 'message', protocol: 'SMTP/IMF', info: imfInfo(this.message.toString('latin1')) };
    }
    const lines = linesOf(data);
    const last = lines.at(-1)?.toUpperCase() ?? '';
    this.awaiting = last === 'DATA' ? 'data' : last === 'STARTTLS' ? 'starttls' : undefined;
    return { kind: 'message', protocol: 'SMTP', info: `C: ${lines.join(' | ')}` };
  }

  private reply(data: Buffer): string {
    const lines = linesOf(data);
    const code = lines[0]?.slice(0, 3) ?? '';
    if (this.awaiting === 'data' && code === '354') {
      this.mode = 'data';
      this.message = Buffer.alloc(0);
    }
    if (this.awaiting === 'starttls' && code === '220') this.mode = 'tls';
    this.awaiting = undefined;
    // Later lines of a multi-line reply lose their `250-` prefix.
    return [lines[0] ?? '', ...lines.slice(1).map((line) => line.replace(/^\d{3}[ -]?/, ''))].join(' | ');
  }
}

/** The message's From and Subject, then what its body is: `from: a@b, subject: Hi, , line one  `. */
function imfInfo(text: string): string {
  const withoutEnd = text.replace(END_OF_DATA, '$1');
  const blank = withoutEnd.search(/\r?\n\r?\n/);
  const head = blank === -1 ? withoutEnd : withoutEnd.slice(0, blank);
  const body = blank === -1 ? '' : withoutEnd.slice(blank).replace(/^\r?\n\r?\n/, '');
  const headers: Array<[string, string]> = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) headers.at(-1)![1] += ` ${line.trim()}`;
    else if (line.includes(':')) headers.push([line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]);
  }
  const shown = headers.filter(([name]) => HEADERS_IN_INFO.has(name)).map(([name, value]) => `${name}: ${value}, `);
  const contentType = headers.find(([name]) => name === 'content-type')?.[1];
  if (contentType) return `${shown.join('')}${mediaSuffix(contentType, Buffer.from(body, 'latin1')).suffix}`;
  // Without a Content-Type the body is line-based text: each line, its line ending shown as spaces.
  const bodyLines = body === '' ? [] : body.split('\n').filter((line, index, all) => index < all.length - 1 || line !== '');
  return `${shown.join('')}${bodyLines.map((line) => `, ${line.replace(/\r$/, ' ')} `).join('')}`;
}
