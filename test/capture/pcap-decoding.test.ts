// The decoders on synthetic captures built byte by byte: both byte orders, nanosecond timestamps, the
// Linux cooked and raw-IP link types, IPv4 options, IPv6 extension headers, ICMPv6 quotes.
import { expect } from 'chai';
import { decodePacket } from '../../harness/capture/decode-packet.js';
import { formatIpv6 } from '../../harness/capture/decode-ip.js';
import { payloadPreview } from '../../harness/capture/payload-preview.js';
import { PcapReadError, readPcapBuffer } from '../../harness/capture/read-pcap.js';
import { summarizePcap } from '../../harness/capture/summarize-capture.js';
import { encodePcap } from '../../harness/capture/write-pcap.js';
import { addressBytes, buildPcap, ethernet, icmp, ipv4, ipv6, loopbackTcp, sll, sll2, tcp, udp } from './pcap-builder.js';

const synToServer = ipv4('10.0.0.1', '10.0.0.2', 6, tcp(51000, 80, { seq: 1000, flags: ['SYN'] }));

async function firstPacket(linkType: number, data: Buffer) {
  const capture = await readPcapBuffer(buildPcap({ linkType, records: [{ data }] }));
  return decodePacket(capture.linkType, capture.records[0], 0);
}

describe('read-pcap', () => {
  for (const byteOrder of ['big-endian', 'little-endian'] as const) {
    it(`reads a ${byteOrder} file with microsecond timestamps`, async () => {
      const file = buildPcap({ linkType: 1, byteOrder, records: [{ data: ethernet(0x0800, synToServer), seconds: 1_700_000_000, fraction: 250_000 }] });
      const capture = await readPcapBuffer(file);
      expect(capture).to.include({ byteOrder, resolution: 'microseconds', linkType: 1, trailingBytes: 0 });
      expect(capture.records[0]).to.include({ seconds: 1_700_000_000, nanoseconds: 250_000_000, capturedLength: 54 });
    });
  }

  it('reads nanosecond files (which pcap-parser alone rejects) in both byte orders', async () => {
    for (const byteOrder of ['big-endian', 'little-endian'] as const) {
      const records = [
        { data: ethernet(0x0800, synToServer), seconds: 100, fraction: 999_999_999 },
        { data: ethernet(0x0800, synToServer), seconds: 101, fraction: 1_500_000 },
      ];
      const capture = await readPcapBuffer(buildPcap({ linkType: 1, byteOrder, nanoseconds: true, records }));
      expect(capture).to.include({ byteOrder, resolution: 'nanoseconds' });
      expect(capture.records.map((record) => [record.seconds, record.nanoseconds])).to.deep.equal([
        [100, 999_999_999],
        [101, 1_500_000],
      ]);
      expect(summarizePcap(capture, { endpointNames: {} }).packets.map((packet) => packet.timeMs)).to.deep.equal([0, 1.5]);
    }
  });

  it('counts the bytes of a last record cut short', async () => {
    const whole = buildPcap({ linkType: 1, records: [{ data: ethernet(0x0800, synToServer) }, { data: ethernet(0x0800, synToServer) }] });
    const capture = await readPcapBuffer(whole.subarray(0, whole.length - 10));
    expect(capture.records).to.have.length(1);
    expect(capture.trailingBytes).to.equal(16 + 54 - 10);
  });

  it('refuses pcapng and other files with a message that says what they are', async () => {
    const pcapng = Buffer.concat([Buffer.from('0a0d0d0a', 'hex'), Buffer.alloc(28)]);
    const errors = await Promise.all([pcapng, Buffer.from('hello, this is not a capture'), Buffer.alloc(10)].map((buffer) => readPcapBuffer(buffer, 'x.pcap').catch((error: PcapReadError) => [error.code, error.message])));
    expect(errors).to.deep.equal([
      ['PCAP_NG', 'x.pcap: this is a pcapng file; save it as classic pcap (editcap -F pcap) or capture with tcpdump -w'],
      ['PCAP_MAGIC', 'x.pcap: not a pcap file: unknown magic number 0x68656c6c'],
      ['PCAP_TOO_SHORT', 'x.pcap: not a pcap file: 10 bytes, a pcap header has 24'],
    ]);
  });

  it('writes back what it read, byte for byte', async () => {
    for (const nanoseconds of [false, true]) {
      const original = buildPcap({ linkType: 1, byteOrder: 'big-endian', nanoseconds, records: [{ data: ethernet(0x0800, synToServer), fraction: 123_456 }] });
      expect(encodePcap(await readPcapBuffer(original)).equals(original)).to.equal(true);
    }
  });
});

describe('decode-link', () => {
  const cases: Array<[string, number, Buffer]> = [
    ['Linux cooked v1 (SLL, DLT 113)', 113, sll(0x0800, synToServer)],
    ['Linux cooked v2 (SLL2, DLT 276)', 276, sll2(0x0800, synToServer)],
    ['raw IP (DLT 101)', 101, synToServer],
    ['raw IP (DLT 12)', 12, synToServer],
    ['raw IPv4 (DLT 228)', 228, synToServer],
    ['VLAN-tagged Ethernet', 1, Buffer.concat([Buffer.alloc(12), Buffer.from([0x81, 0x00, 0x00, 0x05, 0x08, 0x00]), synToServer])],
  ];
  for (const [name, linkType, data] of cases) {
    it(`finds the IP packet in ${name}`, async () => {
      const packet = await firstPacket(linkType, data);
      expect(packet).to.deep.include({ protocol: 'tcp', source: { host: '10.0.0.1', port: 51000 }, destination: { host: '10.0.0.2', port: 80 } });
      expect(packet.tcp?.flags).to.deep.equal(['SYN']);
    });
  }

  it('names what it does not decode instead of failing', async () => {
    expect((await firstPacket(1, ethernet(0x0806, Buffer.alloc(28)))).note).to.equal('ARP');
    expect((await firstPacket(147, synToServer)).note).to.equal('undecoded link type 147');
  });
});

describe('decode-ip and decode-transport', () => {
  it('finds the TCP header after IPv4 options (IHL 6)', async () => {
    const packet = await firstPacket(101, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1234, 25, { flags: ['PSH', 'ACK'], payload: 'EHLO x\r\n' }), Buffer.from([1, 1, 1, 0])));
    expect(packet).to.deep.include({ source: { host: '10.0.0.1', port: 1234 }, payloadLength: 8 });
    expect(packet.payload.toString()).to.equal('EHLO x\r\n');
  });

  it('skips an IPv6 hop-by-hop header to reach UDP', async () => {
    const packet = await firstPacket(229, ipv6('2001:db8::1', '2001:db8::2', 17, udp(5353, 40000, 'hi'), [0]));
    expect(packet).to.deep.include({ protocol: 'udp', source: { host: '2001:db8::1', port: 5353 }, destination: { host: '2001:db8::2', port: 40000 }, payloadLength: 2 });
  });

  it('decodes the datagram quoted in an ICMPv6 port unreachable', async () => {
    const original = ipv6('::1', '::1', 17, udp(50000, 40123, 'hello'));
    const packet = await firstPacket(1, ethernet(0x86dd, ipv6('::1', '::1', 58, icmp(1, 4, original))));
    expect(packet.icmp).to.deep.equal({
      type: 1,
      code: 4,
      description: 'destination unreachable: port unreachable',
      quoted: { protocol: 'udp', source: { host: '::1', port: 50000 }, destination: { host: '::1', port: 40123 } },
    });
  });

  it('writes IPv6 addresses the short way (RFC 5952)', () => {
    const cases = ['::1', '::', '2001:db8::1', 'fe80::1:0:0:1', '1:0:0:2::3', '2001:db8:0:1:1:1:1:1'];
    expect(cases.map((address) => formatIpv6(addressBytes(address), 0))).to.deep.equal(cases);
  });
});

describe('summaries of synthetic TCP', () => {
  it('counts a retransmitted segment once and joins a burst into one data event', async () => {
    const segments = loopbackTcp(
      [
        { fromClient: true, segment: { seq: 100, flags: ['SYN'] } },
        { fromClient: false, segment: { seq: 7000, ack: 101, flags: ['SYN', 'ACK'] } },
        { fromClient: true, segment: { seq: 101, ack: 7001, flags: ['ACK'] } },
        { fromClient: true, segment: { seq: 101, ack: 7001, flags: ['PSH', 'ACK'], payload: 'abcd' } },
        { fromClient: true, segment: { seq: 101, ack: 7001, flags: ['PSH', 'ACK'], payload: 'abcd' } },
        { fromClient: true, segment: { seq: 105, ack: 7001, flags: ['PSH', 'ACK'], payload: 'efg' } },
        { fromClient: false, segment: { seq: 7001, ack: 108, flags: ['RST', 'ACK'] } },
      ],
      50000,
      8080,
    );
    const summary = summarizePcap(await readPcapBuffer(buildPcap({ linkType: 1, records: segments })), { endpointNames: { '127.0.0.1:8080': 'proxy' } });
    expect(summary.packets[5].info).to.equal('PSH, ACK len=3 seq=5 ack=1 win=65495');
    expect(summary.events.map((event) => event.text)).to.deep.equal([
      'TCP handshake completed: SYN, SYN-ACK, ACK between client (127.0.0.1:50000) and proxy (127.0.0.1:8080)',
      'data: client (127.0.0.1:50000) → proxy (127.0.0.1:8080) 7 bytes',
      'connection reset by proxy (127.0.0.1:8080): RST',
    ]);
  });

  it('caps the packet list but counts and explains every packet', async () => {
    const records = loopbackTcp([{ fromClient: true, segment: { seq: 1, flags: ['SYN'] } }, { fromClient: false, segment: { ack: 2, flags: ['RST', 'ACK'] } }], 50001, 9);
    const summary = summarizePcap(await readPcapBuffer(buildPcap({ linkType: 1, records })), { endpointNames: {}, maxPackets: 1 });
    expect([summary.packetCount, summary.packets.length, summary.events.length]).to.deep.equal([2, 1, 1]);
  });
});

describe('payload previews', () => {
  it('escapes control bytes and stays within 120 characters', () => {
    expect(payloadPreview(Buffer.from('GET / HTTP/1.1\r\n\tx\\\x00\xff', 'latin1'))).to.equal('GET / HTTP/1.1\\r\\n\\tx\\\\\\x00\\xff');
    const long = payloadPreview(Buffer.from('\x01'.repeat(100), 'latin1'));
    expect(long.length).to.be.at.most(120);
    expect(long).to.match(/^(\\x01)+…$/);
    expect(payloadPreview(Buffer.from('a'.repeat(120)))).to.equal('a'.repeat(120));
  });
});
