// Real UDP traffic on loopback: a datagram to a closed port (ICMP and ICMPv6 port unreachable, which
// the filter admits by the ports quoted inside them), a request and its reply, and a datagram nobody answers.
import { expect } from 'chai';
import { summarizeCapture } from '../../harness/capture/summarize-capture.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';
import { captureDuring, closeLeftoverServers, closedUdpPort, udpSend, udpServer } from './capture-network.js';

const dir = new TempDir();
after(() => dir.remove());

describe('capture: UDP datagram to a closed port', () => {
  before(function () {
    needsTool(this, 'tcpdump');
  });
  it('captures the ICMP port unreachable, with the quoted ports of the datagram it answers', async () => {
    const port = await closedUdpPort();
    let clientPort = 0;
    const { file } = await captureDuring(dir, 'udp-closed-v4', [port], async () => {
      clientPort = (await udpSend(port, '127.0.0.1', 'hello', 20)).localPort;
    });
    const summary = await summarizeCapture(file, { endpointNames: { [`127.0.0.1:${port}`]: 'udp-server' } });
    expect(summary.packets.map((packet) => packet.info)).to.deep.equal(['UDP len=5', `ICMP port unreachable (for UDP 127.0.0.1:${port})`]);
    expect(summary.packets[0].payloadPreview).to.equal('hello');
    expect(summary.packets[1].icmp).to.deep.equal({
      type: 3,
      code: 3,
      description: 'destination unreachable: port unreachable',
      quoted: { protocol: 'udp', source: { host: '127.0.0.1', port: clientPort }, destination: { host: '127.0.0.1', port } },
    });
    expect(summary.events.map((event) => [event.kind, event.text, event.packet])).to.deep.equal([
      ['port-unreachable', `UDP datagram to closed port ${port} (udp-server) answered by ICMP port unreachable`, 1],
    ]);
  });

  it('captures the ICMPv6 port unreachable for a datagram to [::1]', async () => {
    const port = await closedUdpPort('::1');
    const { file } = await captureDuring(dir, 'udp-closed-v6', [port], async () => {
      await udpSend(port, '::1', 'hi6', 20);
    });
    const summary = await summarizeCapture(file, { endpointNames: {} });
    expect(summary.packets.map((packet) => [packet.protocol, packet.info])).to.deep.equal([
      ['udp', 'UDP len=3'],
      ['icmp6', `ICMPv6 port unreachable (for UDP [::1]:${port})`],
    ]);
    expect(summary.events.map((event) => event.text)).to.deep.equal([`UDP datagram to closed port ${port} answered by ICMP port unreachable`]);
  });
});

describe('capture: on every interface (-i any)', () => {
  before(function () {
    needsTool(this, 'tcpdump');
  });
  it('decodes the Linux cooked v2 link layer that `any` produces', async () => {
    const port = await closedUdpPort();
    const { file } = await captureDuring(dir, 'udp-any', [port], () => udpSend(port, '127.0.0.1', 'any', 20).then(() => undefined), 'any');
    const summary = await summarizeCapture(file, { endpointNames: {} });
    expect(summary.linkType).to.equal('LINUX_SLL2 (Linux cooked v2)');
    expect(summary.packets.map((packet) => packet.info)).to.deep.equal(['UDP len=3', `ICMP port unreachable (for UDP 127.0.0.1:${port})`]);
  });
});

describe('capture: UDP request and reply', () => {
  before(function () {
    needsTool(this, 'tcpdump');
  });
  afterEach(closeLeftoverServers);
  it('shows both datagrams in one conversation and reports no silence', async () => {
    const server = await udpServer((text) => text.toUpperCase());
    let reply: string | undefined;
    const { file } = await captureDuring(dir, 'udp-reply', [server.port], async () => {
      reply = (await udpSend(server.port, '127.0.0.1', 'ping me', 100)).reply;
      await server.close();
    });
    expect(reply).to.equal('PING ME');
    const summary = await summarizeCapture(file, { endpointNames: { [`127.0.0.1:${server.port}`]: 'udp-server' } });
    expect(summary.packets.map((packet) => [packet.info, packet.payloadPreview])).to.deep.equal([
      ['UDP len=7', 'ping me'],
      ['UDP len=7', 'PING ME'],
    ]);
    expect(summary.conversations).to.have.length(1);
    expect(summary.conversations[0]).to.include({ protocol: 'udp', packets: 2 });
    expect(summary.events).to.deep.equal([]);
  });

  it('tells a datagram that nobody answers (a server that reads but never replies) as no reply', async () => {
    const silent = await udpServer(() => undefined);
    const port = silent.port;
    const { file } = await captureDuring(dir, 'udp-silent', [port], async () => {
      await udpSend(port, '127.0.0.1', 'anyone?', 20);
      await silent.close();
    });
    const summary = await summarizeCapture(file, { endpointNames: { [`127.0.0.1:${port}`]: 'udp-server' } });
    expect(summary.events.map((event) => [event.kind, event.text])).to.deep.equal([
      ['no-reply', `no reply: UDP datagram to udp-server (127.0.0.1:${port}) got no answer`],
    ]);
  });
});
