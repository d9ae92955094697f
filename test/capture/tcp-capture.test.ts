// Real TCP traffic on loopback, captured by tcpdump and summarised: refused connections (IPv4 and IPv6),
// a whole exchange with data and close, and a filter that keeps other experiments' ports out.
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { summarizeCapture } from '../../harness/capture/summarize-capture.js';
import type { CaptureSummary, PacketSummary } from '../../harness/model/capture.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';
import { captureDuring, closeLeftoverServers, closedTcpPort, closedUdpPort, tcpClient, tcpServer, udpSend } from './capture-network.js';

const dir = new TempDir();
after(() => dir.remove());

const flagsOf = (packet: PacketSummary) => packet.tcp?.flags.join(', ');

describe('capture: TCP connection to a closed port', () => {
  before(function () {
    needsTool(this, 'tcpdump');
  });
  for (const host of ['127.0.0.1', '::1']) {
    it(`shows SYN answered by RST and tells it as refused (${host})`, async () => {
      const port = await closedTcpPort(host);
      const { file, stopped } = await captureDuring(dir, `refused-${host === '::1' ? 'v6' : 'v4'}`, [port], async () => {
        const result = await tcpClient(port, host, () => undefined);
        expect(result.error?.code).to.equal('ECONNREFUSED');
      });
      expect(stopped).to.include({ ok: true, packetsCaptured: 2 });
      const names = { [host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`]: 'tcp-server' };
      const summary = await summarizeCapture(file, { endpointNames: names });
      expect(summary.packets.map(flagsOf)).to.deep.equal(['SYN', 'RST, ACK']);
      const clientPort = summary.packets[0].source.port!;
      expect(summary.packets[0].destination).to.deep.equal({ host, port });
      // As Wireshark numbers it: the RST side never sent a SYN, so it counts from its first number minus one.
      expect(summary.packets[1].info).to.equal(`RST, ACK seq=1 ack=1 win=0`);
      expect(summary.events.map((event) => [event.kind, event.text])).to.deep.equal([
        ['refused', `connection refused: SYN to tcp-server (${host.includes(':') ? `[${host}]` : host}:${port}) answered by RST`],
      ]);
      expect(summary.conversations).to.have.length(1);
      expect(summary.conversations[0]).to.include({ protocol: 'tcp', packets: 2 });
      expect(summary.conversations[0].a).to.deep.equal({ host, port: clientPort });
    });
  }
});

describe('capture: a whole TCP exchange', () => {
  let summary: CaptureSummary;
  let file: string;
  let port = 0;
  let clientPort = 0;

  // The server is made in `before`: when the capture fails there, no test runs and no afterEach either.
  after(closeLeftoverServers);
  before(async function () {
    needsTool(this, 'tcpdump');
    const server = await tcpServer((socket) => {
      socket.on('data', (data) => socket.write(data.toString().toUpperCase()));
      socket.on('end', () => socket.end());
    });
    port = server.port;
    const captured = await captureDuring(dir, 'exchange', [port], async () => {
      const result = await tcpClient(port, '127.0.0.1', (socket) => {
        socket.write('hello world');
        // Close our side once the answer is in: the client sends the first FIN.
        socket.once('data', () => socket.end());
      });
      clientPort = result.localPort;
      await server.close();
    });
    file = captured.file;
    expect(captured.stopped.ok).to.equal(true);
    summary = await summarizeCapture(file, { endpointNames: { [`127.0.0.1:${port}`]: 'tcp-server' } });
  });

  it('starts with the three-way handshake, numbered relative to each side', () => {
    expect(summary.packets.slice(0, 3).map((packet) => packet.info.replace(/ win=\d+$/, ''))).to.deep.equal([
      'SYN seq=0',
      'SYN, ACK seq=0 ack=1',
      'ACK seq=1 ack=1',
    ]);
  });

  it('numbers the data both ways relative to each initial sequence number', () => {
    const data = summary.packets.filter((packet) => packet.payloadLength > 0);
    expect(data.map((packet) => [packet.source.port, packet.payloadPreview, packet.tcp?.seq, packet.tcp?.ack])).to.deep.equal([
      [clientPort, 'hello world', 1, 1],
      [port, 'HELLO WORLD', 1, 12],
    ]);
    expect(data[0].info).to.match(/^PSH, ACK len=11 seq=1 ack=1 win=\d+$/);
  });

  it('tells the exchange as events: handshake, data each way, FIN from each side', () => {
    const client = `client (127.0.0.1:${clientPort})`;
    const server = `tcp-server (127.0.0.1:${port})`;
    expect(summary.events.map((event) => `${event.kind}: ${event.text}`)).to.deep.equal([
      `handshake: TCP handshake completed: SYN, SYN-ACK, ACK between ${client} and ${server}`,
      `data: data: ${client} → ${server} 11 bytes`,
      `data: data: ${server} → ${client} 11 bytes`,
      `close: connection closed: FIN from ${client}`,
      `close: connection closed: FIN from ${server}`,
    ]);
  });

  it('has the last ACK of the teardown, although capture stopped right after the close', () => {
    const fins = summary.packets.filter((packet) => packet.tcp?.flags.includes('FIN'));
    const last = summary.packets.at(-1)!;
    expect(fins).to.have.length(2);
    expect(flagsOf(last)).to.equal('ACK');
    expect(last.source.port).to.equal(clientPort);
    // It acknowledges the server's FIN: the 11 data bytes + SYN + FIN.
    expect(last.tcp?.ack).to.equal(13);
  });

  it('counts the connection as one conversation', () => {
    expect(summary.conversations).to.have.length(1);
    expect(summary.conversations[0]).to.deep.include({ protocol: 'tcp', packets: summary.packetCount });
    expect(summary.conversations[0].bytes).to.be.greaterThan(summary.packetCount * 54);
  });

  it('writes a file tshark can read', function () {
    needsTool(this, 'tshark');
    execFileSync('tshark', ['-r', file], { stdio: 'ignore' });
  });
});

describe('capture: filter', () => {
  before(function () {
    needsTool(this, 'tcpdump');
  });
  afterEach(closeLeftoverServers);
  it('keeps out traffic on ports that are not the experiment’s, ICMP included', async () => {
    const closed = await closedTcpPort();
    const other = await tcpServer((socket) => socket.end('other experiment\n'));
    const otherClosedUdp = await closedUdpPort();
    const { file } = await captureDuring(dir, 'filter', [closed], async () => {
      await tcpClient(other.port, '127.0.0.1', () => undefined);
      await udpSend(otherClosedUdp, '127.0.0.1', 'not ours', 50);
      await tcpClient(closed, '127.0.0.1', () => undefined);
      await other.close();
    });
    const summary = await summarizeCapture(file, { endpointNames: {} });
    const portsSeen = new Set(summary.packets.flatMap((packet) => [packet.source.port, packet.destination.port]));
    expect(portsSeen.has(other.port), 'other TCP port').to.equal(false);
    expect(summary.packets.filter((packet) => packet.protocol === 'icmp')).to.deep.equal([]);
    expect(summary.packets.map(flagsOf)).to.deep.equal(['SYN', 'RST, ACK']);
  });
});
