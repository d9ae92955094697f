// Capture expectations against summaries of synthetic captures (fixed ports, so messages are exact),
// and the schema as the spec loader would apply it.
import { expect } from 'chai';
import { CaptureExpectationSchema, evaluateCaptureExpectations, type CaptureExpectation } from '../../harness/capture/capture-expectations.js';
import { readPcapBuffer } from '../../harness/capture/read-pcap.js';
import { summarizePcap } from '../../harness/capture/summarize-capture.js';
import type { CaptureSummary } from '../../harness/model/capture.js';
import { validateAgainst } from '../../harness/spec/schema-validator.js';
import { YamlSource } from '../../harness/spec/yaml-source.js';
import { buildPcap, ethernet, icmp, ipv4, loopbackTcp, udp } from './pcap-builder.js';

const tcpNames = { '127.0.0.1:40123': 'tcp-server' };
const udpNames = { '127.0.0.1:40124': 'udp-server' };

async function summaryOf(records: Buffer[], endpointNames: Record<string, string>): Promise<CaptureSummary> {
  const capture = await readPcapBuffer(buildPcap({ linkType: 1, records: records.map((data) => ({ data })) }));
  return summarizePcap(capture, { endpointNames });
}

const refused = () =>
  summaryOf(
    loopbackTcp(
      [
        { fromClient: true, segment: { seq: 500, flags: ['SYN'] } },
        { fromClient: false, segment: { seq: 0, ack: 501, flags: ['RST', 'ACK'], window: 0 } },
      ],
      50000,
      40123,
    ).map((record) => record.data),
    tcpNames,
  );

const datagram = ipv4('127.0.0.1', '127.0.0.1', 17, udp(50001, 40124, 'hello'));
const portUnreachable = () => summaryOf([ethernet(0x0800, datagram), ethernet(0x0800, ipv4('127.0.0.1', '127.0.0.1', 1, icmp(3, 3, datagram)))], udpNames);
const unanswered = () => summaryOf([ethernet(0x0800, datagram)], udpNames);

function messages(expectation: CaptureExpectation, summary: CaptureSummary, names: Record<string, string>): Array<[boolean, string]> {
  return evaluateCaptureExpectations(expectation, summary, names).map((result) => [result.ok, result.message]);
}

describe('capture expectations: TCP', () => {
  it('passes and fails handshake expectations in the words of the events', async () => {
    const summary = await refused();
    const told = 'connection refused: SYN to tcp-server (127.0.0.1:40123) answered by RST';
    expect(messages({ handshake: 'refused' }, summary, tcpNames)).to.deep.equal([[true, `capture.handshake: ${told}`]]);
    expect(messages({ handshake: 'complete' }, summary, tcpNames)).to.deep.equal([
      [false, `capture.handshake: expected a completed TCP handshake (SYN, SYN-ACK, ACK), got ${told}`],
    ]);
    expect(messages({ handshake: 'none' }, summary, tcpNames)).to.deep.equal([[true, `capture.handshake: ${told}`]]);
  });

  it('says when a SYN got no answer at all', async () => {
    const summary = await summaryOf(loopbackTcp([{ fromClient: true, segment: { seq: 1, flags: ['SYN'] } }], 50000, 40123).map((record) => record.data), tcpNames);
    expect(messages({ handshake: 'refused' }, summary, tcpNames)).to.deep.equal([
      [false, 'capture.handshake: expected a refused connection (SYN answered by RST), got SYN sent to tcp-server (127.0.0.1:40123) but no SYN-ACK or RST came back'],
    ]);
  });

  it('counts packets by kind and direction, with `client` for endpoints without a name', async () => {
    const summary = await refused();
    const expectation: CaptureExpectation = {
      packets: [
        { tcp: 'syn', from: 'client', to: 'tcp-server', count: 1 },
        { tcp: 'rst', from: 'client' },
        { tcp: 'synack', count: { max: 0 } },
        { tcp: 'syn', to: 'server' },
      ],
    };
    expect(messages(expectation, summary, tcpNames)).to.deep.equal([
      [true, 'capture.packets[0]: 1 TCP SYN packet from client to tcp-server'],
      [false, 'capture.packets[1]: expected at least 1 TCP RST packet from client, got 0 TCP RST packets from client (all TCP RST packets: 1 tcp-server (127.0.0.1:40123) → client (127.0.0.1:50000))'],
      [true, 'capture.packets[2]: 0 TCP SYN-ACK packets'],
      [
        false,
        'capture.packets[3]: expected at least 1 TCP SYN packet to server, got 0 TCP SYN packets to server (all TCP SYN packets: 1 client (127.0.0.1:50000) → tcp-server (127.0.0.1:40123)); no endpoint is named "server" (names: tcp-server, client)',
      ],
    ]);
  });

  it('counts packets by protocol', async () => {
    const summary = await refused();
    expect(messages({ count: { tcp: 2, udp: { min: 1 }, icmp: { min: 0, max: 0 } } }, summary, tcpNames)).to.deep.equal([
      [true, 'capture.count.tcp: 2 TCP packets'],
      [false, 'capture.count.udp: expected at least 1 UDP packet, got 0 UDP packets'],
      [true, 'capture.count.icmp: 0 ICMP packets'],
    ]);
  });
});

describe('capture expectations: an empty capture', () => {
  it('says that nothing was seen', async () => {
    const summary = await summaryOf([], tcpNames);
    expect([summary.packetCount, summary.events, summary.conversations]).to.deep.equal([0, [], []]);
    expect(messages({ handshake: 'complete', icmp: 'port-unreachable', noReply: true }, summary, tcpNames)).to.deep.equal([
      [false, 'capture.handshake: expected a completed TCP handshake (SYN, SYN-ACK, ACK), got no TCP SYN in the capture'],
      [false, 'capture.icmp: expected an ICMP port unreachable, got no ICMP port unreachable (0 ICMP packets)'],
      [false, 'capture.noReply: expected a UDP datagram that got no answer, got no UDP datagrams in the capture'],
    ]);
  });
});

describe('capture expectations: UDP and ICMP', () => {
  it('finds the port unreachable, coming from the closed port back to the client', async () => {
    const summary = await portUnreachable();
    const told = 'UDP datagram to closed port 40124 (udp-server) answered by ICMP port unreachable';
    expect(messages({ icmp: 'port-unreachable', noReply: true, packets: [{ icmp: 'port-unreachable', from: 'udp-server', to: 'client', count: 1 }] }, summary, udpNames)).to.deep.equal([
      [true, `capture.icmp: ${told}`],
      [true, 'capture.packets[0]: 1 ICMP port unreachable message from udp-server to client'],
      [false, `capture.noReply: expected a UDP datagram that got no answer, got an answer to every UDP datagram (${told})`],
    ]);
  });

  it('tells silence apart from a port unreachable', async () => {
    const summary = await unanswered();
    const told = 'no reply: UDP datagram to udp-server (127.0.0.1:40124) got no answer';
    expect(messages({ icmp: 'port-unreachable', noReply: true }, summary, udpNames)).to.deep.equal([
      [false, `capture.icmp: expected an ICMP port unreachable, got no ICMP port unreachable; ${told}`],
      [true, `capture.noReply: ${told}`],
    ]);
    expect(messages({ noReply: false, packets: [{ udp: true, from: 'client', to: 'udp-server', count: { min: 2, max: 3 } }] }, summary, udpNames)).to.deep.equal([
      [false, 'capture.packets[0]: expected between 2 and 3 UDP datagrams from client to udp-server, got 1 UDP datagram from client to udp-server'],
      [false, `capture.noReply: expected an answer to every UDP datagram, got ${told}`],
    ]);
  });
});

describe('capture expectation schema', () => {
  function problems(text: string): string[] {
    const source = new YamlSource('spec.yaml', text);
    return validateAgainst(CaptureExpectationSchema, source.toJS(), source).map((diagnostic) => `${diagnostic.line}:${diagnostic.column} ${diagnostic.message}`);
  }

  it('accepts every form', () => {
    const text = 'handshake: complete\nicmp: port-unreachable\nnoReply: false\npackets:\n  - { tcp: synack, from: tcp-server, to: client, count: { min: 1, max: 2 } }\n  - { udp: true, count: 0 }\ncount: { tcp: 3, icmp: { max: 0 } }\n';
    expect(problems(text)).to.deep.equal([]);
  });

  it('says what was expected for wrong values and unknown keys', () => {
    expect(problems('handshake: completed\npackets:\n  - { tcp: ack }\ncount: { tcpp: 1 }\n')).to.deep.equal([
      '1:12 expected complete, refused or none, got "completed"',
      '3:12 expected one of syn, synack, rst, fin, data, got "ack"',
      '4:10 unknown key "tcpp"; expected one of: tcp, udp, icmp',
    ]);
  });
});
