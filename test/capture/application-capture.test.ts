// What TCP payloads say, captured for real: an HTTP request and response over a raw socket, and an
// SMTP-like dialog from a tiny server (greeting 220, then 250, 354, 250, 221).
import { expect } from 'chai';
import { summarizeCapture } from '../../harness/capture/summarize-capture.js';
import type { CaptureEvent } from '../../harness/model/capture.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';
import { captureDuring, closeLeftoverServers, tcpClient, tcpServer } from './capture-network.js';

const dir = new TempDir();
after(() => dir.remove());

const applicationLines = (events: CaptureEvent[]) =>
  events.filter((event) => !['handshake', 'data', 'close', 'reset'].includes(event.kind)).map((event) => `${event.kind}: ${event.text}`);

describe('capture: HTTP over TCP', () => {
  before(function () {
    needsTool(this, 'tcpdump');
  });
  afterEach(closeLeftoverServers);
  it('reads the request line and the status line from the payloads', async () => {
    const server = await tcpServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found'));
    });
    const { file } = await captureDuring(dir, 'http', [server.port], async () => {
      await tcpClient(server.port, '127.0.0.1', (socket) => socket.write('GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      await server.close();
    });
    const summary = await summarizeCapture(file, { endpointNames: { [`127.0.0.1:${server.port}`]: 'web-server' } });
    expect(applicationLines(summary.events)).to.deep.equal(['http-request: HTTP GET /index.html HTTP/1.1', 'http-response: HTTP 404 Not Found']);
    const request = summary.packets.find((packet) => packet.payloadLength > 0)!;
    expect(request.payloadPreview).to.equal('GET /index.html HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n');
  });
});

describe('capture: SMTP dialog', () => {
  before(function () {
    needsTool(this, 'tcpdump');
  });
  afterEach(closeLeftoverServers);
  it('lists the commands and the first line of each reply, and the message body by size', async () => {
    const replies: Record<string, string> = { EHLO: '250-hi there\r\n250 ok\r\n', MAIL: '250 ok\r\n', RCPT: '250 ok\r\n', DATA: '354 go ahead\r\n', QUIT: '221 bye\r\n' };
    const server = await tcpServer((socket) => {
      let inBody = false;
      socket.write('220 hi\r\n');
      socket.on('data', (chunk) => {
        const text = chunk.toString();
        if (inBody) {
          if (!text.endsWith('\r\n.\r\n')) return;
          inBody = false;
          socket.write('250 queued\r\n');
          return;
        }
        const verb = text.slice(0, 4).toUpperCase();
        if (verb === 'DATA') inBody = true;
        socket.write(replies[verb] ?? '500 what?\r\n');
        if (verb === 'QUIT') socket.end();
      });
    });
    const commands = ['EHLO x', 'MAIL FROM:<a@b>', 'RCPT TO:<c@d>', 'DATA', 'Subject: hi\r\n\r\nhello\r\n.', 'QUIT'];
    const { file } = await captureDuring(dir, 'smtp', [server.port], async () => {
      await tcpClient(server.port, '127.0.0.1', (socket) => {
        // One command per reply, as a mail client does; the dialog starts with the server's greeting.
        socket.on('data', () => {
          const next = commands.shift();
          if (next !== undefined) socket.write(`${next}\r\n`);
        });
      });
      await server.close();
    });
    const summary = await summarizeCapture(file, { endpointNames: {} });
    expect(applicationLines(summary.events)).to.deep.equal([
      'smtp-reply: SMTP 220 hi',
      'smtp-command: SMTP EHLO x',
      'smtp-reply: SMTP 250-hi there',
      'smtp-command: SMTP MAIL FROM:<a@b>',
      'smtp-reply: SMTP 250 ok',
      'smtp-command: SMTP RCPT TO:<c@d>',
      'smtp-reply: SMTP 250 ok',
      'smtp-command: SMTP DATA',
      'smtp-reply: SMTP 354 go ahead',
      'smtp-command: SMTP message body, 25 bytes',
      'smtp-reply: SMTP 250 queued',
      'smtp-command: SMTP QUIT',
      'smtp-reply: SMTP 221 bye',
    ]);
  });
});
