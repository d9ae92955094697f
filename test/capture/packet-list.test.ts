// The Wireshark-style packet list on captures built byte by byte. Every expected Info line below is what
// tshark 4.0 printed for the same bytes (`tshark -r FILE -T fields -e _ws.col.Info`), trailing spaces
// included; test/e2e/evidence.test.ts compares the list with tshark itself on captures of real runs.
import { expect } from 'chai';
import { buildPacketList } from '../../harness/capture/packet-list/build-packet-list.js';
import { readPcapBuffer } from '../../harness/capture/read-pcap.js';
import { buildPcap, ethernet, icmp, ipv4, ipv6, tcp, udp, type RecordSpec } from './pcap-builder.js';

/** Linux's SYN options: MSS 65495, SACK permitted, timestamps, window scale 10 (× 1024). */
const SYN_OPTIONS = Buffer.from('0204ffd70402080a0000000100000000' + '0103030a', 'hex');

/** One TCP conversation on loopback that keeps both sides' sequence numbers, 10 ms per segment. */
class Talk {
  readonly records: RecordSpec[] = [];
  private clientSeq = 1000;
  private serverSeq = 5000;

  constructor(
    private readonly clientPort: number,
    private readonly serverPort: number,
  ) {}

  handshake(): this {
    return this.send(true, ['SYN'], '', { options: SYN_OPTIONS, window: 65495 })
      .send(false, ['SYN', 'ACK'], '', { options: SYN_OPTIONS, window: 65483 })
      .send(true, ['ACK']);
  }

  send(fromClient: boolean, flags: string[], payload: string | Buffer = '', extra: { window?: number; options?: Buffer; rewind?: number } = {}): this {
    if (extra.rewind) {
      if (fromClient) this.clientSeq -= extra.rewind;
      else this.serverSeq -= extra.rewind;
    }
    const [seq, ack] = fromClient ? [this.clientSeq, this.serverSeq] : [this.serverSeq, this.clientSeq];
    const [from, to] = fromClient ? [this.clientPort, this.serverPort] : [this.serverPort, this.clientPort];
    const segment = tcp(from, to, { seq, ack: flags.includes('ACK') ? ack : 0, flags, window: extra.window ?? 64, payload, options: extra.options });
    const index = this.records.length;
    this.records.push({ seconds: 1_700_000_000, fraction: index * 10_000, data: ethernet(0x0800, ipv4('127.0.0.1', '127.0.0.1', 6, segment)) });
    const length = Buffer.byteLength(payload) + (flags.includes('SYN') || flags.includes('FIN') ? 1 : 0);
    if (fromClient) this.clientSeq += length;
    else this.serverSeq += length;
    return this;
  }
}

async function listOf(records: RecordSpec[]) {
  return buildPacketList(await readPcapBuffer(buildPcap({ linkType: 1, records })));
}

async function infoOf(records: RecordSpec[]): Promise<string[]> {
  return (await listOf(records)).rows.map((row) => `${row.protocol} ${row.info}`);
}

describe('packet list (Wireshark columns)', () => {
  it('writes number, time, addresses, protocol and frame length like tshark', async () => {
    const list = await listOf(new Talk(45000, 43210).handshake().records);
    expect(list.rows.map(({ number, time, source, destination, protocol, length }) => [number, time, source, destination, protocol, length])).to.deep.equal([
      [1, '0.000000', '127.0.0.1', '127.0.0.1', 'TCP', 74],
      [2, '0.010000', '127.0.0.1', '127.0.0.1', 'TCP', 74],
      [3, '0.020000', '127.0.0.1', '127.0.0.1', 'TCP', 54],
    ]);
  });

  it('tells TCP as Wireshark does: relative numbers, scaled windows, options, expert flags', async () => {
    const talk = new Talk(45020, 43220).handshake();
    talk.send(true, ['PSH', 'ACK'], 'abc').send(false, ['ACK']);
    talk.send(false, ['ACK'], '', { window: 32 }).send(false, ['ACK'], '', { window: 32 }).send(false, ['ACK'], '', { window: 32 });
    talk.send(true, ['PSH', 'ACK'], 'abc', { rewind: 3 }).send(true, ['ACK']);
    talk.send(true, ['ACK'], 'x', { rewind: 1 });
    talk.send(false, ['ACK'], '', { window: 0 }).send(false, ['RST']);
    talk.send(true, ['SYN'], '', { options: Buffer.from('0204ffd7', 'hex'), window: 65495, rewind: 1000 });
    expect(await infoOf(talk.records)).to.deep.equal([
      'TCP 45020 → 43220 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM TSval=1 TSecr=0 WS=1024',
      'TCP 43220 → 45020 [SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0 MSS=65495 SACK_PERM TSval=1 TSecr=0 WS=1024',
      'TCP 45020 → 43220 [ACK] Seq=1 Ack=1 Win=65536 Len=0',
      'TCP 45020 → 43220 [PSH, ACK] Seq=1 Ack=1 Win=65536 Len=3',
      'TCP 43220 → 45020 [ACK] Seq=1 Ack=4 Win=65536 Len=0',
      'TCP [TCP Window Update] 43220 → 45020 [ACK] Seq=1 Ack=4 Win=32768 Len=0',
      'TCP [TCP Dup ACK 5#1] 43220 → 45020 [ACK] Seq=1 Ack=4 Win=32768 Len=0',
      'TCP [TCP Dup ACK 5#2] 43220 → 45020 [ACK] Seq=1 Ack=4 Win=32768 Len=0',
      'TCP [TCP Spurious Retransmission] 45020 → 43220 [PSH, ACK] Seq=1 Ack=1 Win=65536 Len=3',
      'TCP [TCP Dup ACK 3#1] 45020 → 43220 [ACK] Seq=4 Ack=1 Win=65536 Len=0',
      'TCP [TCP Keep-Alive] 45020 → 43220 [ACK] Seq=3 Ack=1 Win=65536 Len=1',
      'TCP [TCP ZeroWindow] 43220 → 45020 [ACK] Seq=1 Ack=4 Win=0 Len=0',
      'TCP 43220 → 45020 [RST] Seq=1 Win=65536 Len=0',
      'TCP [TCP Port numbers reused] 45020 → 43220 [SYN] Seq=0 Win=65495 Len=0 MSS=65495',
    ]);
  });

  it('counts from the first number seen when the capture starts in the middle of a connection', async () => {
    const talk = new Talk(45040, 43240);
    talk.send(true, ['PSH', 'ACK'], 'hello').send(false, ['ACK']).send(false, ['PSH', 'ACK'], 'HELLO').send(true, ['FIN', 'ACK']);
    expect(await infoOf(talk.records)).to.deep.equal([
      'TCP 45040 → 43240 [PSH, ACK] Seq=1 Ack=1 Win=64 Len=5',
      'TCP 43240 → 45040 [ACK] Seq=1 Ack=6 Win=64 Len=0',
      'TCP 43240 → 45040 [PSH, ACK] Seq=1 Ack=6 Win=64 Len=5',
      'TCP 45040 → 43240 [FIN, ACK] Seq=6 Ack=6 Win=64 Len=0',
    ]);
  });

  it('shows HTTP messages on the segment that completes them, with what the body is', async () => {
    const body = '<html>hello</html>\n';
    const talk = new Talk(45000, 43210).handshake();
    talk.send(true, ['PSH', 'ACK'], 'GET /a.html HTTP/1.1\r\nHost: x\r\n\r\n').send(false, ['ACK']);
    talk.send(false, ['PSH', 'ACK'], `HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n`);
    talk.send(false, ['PSH', 'ACK'], body).send(true, ['ACK']);
    talk.send(true, ['PSH', 'ACK'], 'GET /missing HTTP/1.1\r\n').send(true, ['PSH', 'ACK'], 'Host: x\r\n\r\n');
    talk.send(false, ['PSH', 'ACK'], 'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found');
    talk.send(true, ['PSH', 'ACK'], 'HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n').send(false, ['PSH', 'ACK'], 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n');
    const rows = await infoOf(talk.records);
    expect(rows.slice(3)).to.deep.equal([
      'HTTP GET /a.html HTTP/1.1 ',
      'TCP 43210 → 45000 [ACK] Seq=1 Ack=34 Win=65536 Len=0',
      'TCP HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]',
      'HTTP HTTP/1.1 200 OK  (text/html)',
      'TCP 45000 → 43210 [ACK] Seq=34 Ack=99 Win=65536 Len=0',
      'TCP GET /missing HTTP/1.1  [TCP segment of a reassembled PDU]',
      'HTTP GET /missing HTTP/1.1 ',
      'HTTP HTTP/1.1 404 Not Found  (text/plain)',
      'HTTP HEAD /a HTTP/1.1 ',
      'HTTP HTTP/1.1 200 OK ',
    ]);
  });

  it("reads a body without Content-Length to the server's FIN, as the lab's skeleton server sends it", async () => {
    const talk = new Talk(45001, 43211).handshake();
    talk.send(true, ['PSH', 'ACK'], 'GET /a.html HTTP/1.1\r\nHost: x\r\n\r\n');
    talk.send(false, ['PSH', 'ACK'], 'HTTP/1.1 200 OK\r\n\r\n').send(false, ['PSH', 'ACK'], '<').send(false, ['PSH', 'ACK'], 'p>');
    talk.send(false, ['FIN', 'ACK']);
    expect((await infoOf(talk.records)).slice(4)).to.deep.equal([
      'TCP HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]',
      'TCP 43211 → 45001 [PSH, ACK] Seq=20 Ack=34 Win=65536 Len=1 [TCP segment of a reassembled PDU]',
      'TCP 43211 → 45001 [PSH, ACK] Seq=21 Ack=34 Win=65536 Len=2 [TCP segment of a reassembled PDU]',
      'HTTP HTTP/1.1 200 OK ',
    ]);
  });

  it('tells SMTP on a port Wireshark does not know, and says to decode it as SMTP', async () => {
    const talk = new Talk(45010, 2525).handshake();
    talk.send(false, ['PSH', 'ACK'], '220 mx ESMTP hi\r\n').send(true, ['PSH', 'ACK'], 'EHLO me\r\n');
    talk.send(false, ['PSH', 'ACK'], '250-mx hello\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
    talk.send(true, ['PSH', 'ACK'], 'DATA\r\n').send(false, ['PSH', 'ACK'], '354 go\r\n');
    talk.send(true, ['PSH', 'ACK'], 'From: Alice <a@x>\r\nTo: b@y\r\nSubject: Hi there\r\n\r\nline one\r\n').send(true, ['PSH', 'ACK'], 'line two\r\n.\r\n');
    talk.send(false, ['PSH', 'ACK'], '250 queued\r\n').send(true, ['PSH', 'ACK'], 'QUIT\r\n');
    const list = await listOf(talk.records);
    expect(list.rows.slice(3).map((row) => `${row.protocol} ${row.info}`)).to.deep.equal([
      'SMTP S: 220 mx ESMTP hi',
      'SMTP C: EHLO me',
      'SMTP S: 250-mx hello | PIPELINING | 8BITMIME',
      'SMTP C: DATA',
      'SMTP S: 354 go',
      'SMTP C: DATA fragment, 59 bytes',
      'SMTP/IMF from: Alice <a@x>, subject: Hi there, , line one  , line two  ',
      'SMTP S: 250 queued',
      'SMTP C: QUIT',
    ]);
    expect(list.decodeAs).to.deep.equal([{ layer: 'tcp.port', port: 2525, protocol: 'smtp', reason: 'SMTP on port 2525, which Wireshark does not know as SMTP' }]);
  });

  it('tells UDP and ICMP errors, and says to decode UDP port 12000 as data (Wireshark reads it as LLC)', async () => {
    const datagram = ipv4('127.0.0.1', '127.0.0.1', 17, udp(40000, 12000, 'hello'));
    const records = [datagram, ipv4('127.0.0.1', '127.0.0.1', 1, icmp(3, 3, datagram.subarray(0, 28)))].map((data, index) => ({ data: ethernet(0x0800, data), fraction: index * 13 }));
    const list = await listOf(records);
    expect(list.rows.map((row) => [row.protocol, row.length, row.info, row.time])).to.deep.equal([
      ['UDP', 47, '40000 → 12000 Len=5', '0.000000'],
      ['ICMP', 70, 'Destination unreachable (Port unreachable)', '0.000013'],
    ]);
    expect(list.decodeAs.map((rule) => `${rule.layer}==${rule.port},${rule.protocol}`)).to.deep.equal(['udp.port==12000,data']);
  });
});

describe('packet list: what a network world adds', () => {
  it('names the IPv6 housekeeping of interfaces coming up as Wireshark does', async () => {
    const solicitation = ipv6('fe80::3825:1eff:fe3c:a3be', 'ff02::2', 58, icmp(133, 0, Buffer.from('01013a251e3ca3be', 'hex')));
    const report = ipv6('fe80::3825:1eff:fe3c:a3be', 'ff02::16', 58, icmp(143, 0), [0]);
    const records = [solicitation, report].map((data) => ({ data: ethernet(0x86dd, data) }));
    expect(await infoOf(records)).to.deep.equal(['ICMPv6 Router Solicitation from 3a:25:1e:3c:a3:be', 'ICMPv6 Multicast Listener Report Message v2']);
  });
});
