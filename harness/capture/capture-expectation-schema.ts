// What a spec may expect of an experiment's packets (`capture: { expect: … }`). Every schema carries an
// `expected` annotation: the phrase the loader's messages use ("expected …, got …").
import { Type, type Static } from '@sinclair/typebox';

export const CountRange = Type.Union(
  [
    Type.Integer({ minimum: 0 }),
    Type.Object(
      { min: Type.Optional(Type.Integer({ minimum: 0 })), max: Type.Optional(Type.Integer({ minimum: 0 })) },
      { additionalProperties: false, minProperties: 1, expected: 'a range such as { min: 1, max: 3 }' },
    ),
  ],
  { expected: 'a count such as 2, or a range such as { min: 1, max: 3 }' },
);
export type CountRange = Static<typeof CountRange>;

export const TCP_PACKET_KINDS = ['syn', 'synack', 'rst', 'fin', 'data'] as const;
export type TcpPacketKind = (typeof TCP_PACKET_KINDS)[number];

const EndpointName = Type.String({
  title: 'EndpointName',
  minLength: 1,
  expected: 'an endpoint name such as tcp-server, or client',
  description: 'A name the experiment gave an endpoint (a role such as tcp-server), or `client`: any endpoint without a name.',
});

/** Packets of one kind, optionally between two named endpoints, counted. Give one of tcp, udp, icmp. */
export const PacketExpectation = Type.Object(
  {
    tcp: Type.Optional(
      Type.Union(
        TCP_PACKET_KINDS.map((kind) => Type.Literal(kind)),
        { expected: 'one of syn, synack, rst, fin, data', description: 'syn: SYN without ACK; synack; rst; fin; data: a segment carrying payload.' },
      ),
    ),
    udp: Type.Optional(Type.Literal(true, { expected: 'true', description: 'Any UDP datagram.' })),
    icmp: Type.Optional(Type.Literal('port-unreachable', { expected: 'port-unreachable' })),
    from: Type.Optional(EndpointName),
    to: Type.Optional(EndpointName),
    count: Type.Optional(CountRange),
  },
  { additionalProperties: false, expected: 'a packet pattern: tcp, udp or icmp, with from, to and count' },
);
export type PacketExpectation = Static<typeof PacketExpectation>;

export const CaptureExpectationSchema = Type.Object(
  {
    handshake: Type.Optional(
      Type.Union([Type.Literal('complete'), Type.Literal('refused'), Type.Literal('none')], {
        expected: 'complete, refused or none',
        description: 'complete: a SYN, SYN-ACK, ACK was seen; refused: a SYN answered by RST; none: no handshake completed.',
      }),
    ),
    icmp: Type.Optional(
      Type.Literal('port-unreachable', { expected: 'port-unreachable', description: 'At least one ICMP (or ICMPv6) port unreachable.' }),
    ),
    packets: Type.Optional(
      Type.Array(PacketExpectation, { minItems: 1, expected: 'a list of packet patterns', description: 'Each pattern must match; count defaults to at least 1.' }),
    ),
    noReply: Type.Optional(
      Type.Boolean({ expected: 'true or false', description: 'true: some UDP datagram got no answer at all (no datagram back, no ICMP).' }),
    ),
    count: Type.Optional(
      Type.Object(
        { tcp: Type.Optional(CountRange), udp: Type.Optional(CountRange), icmp: Type.Optional(CountRange) },
        { additionalProperties: false, minProperties: 1, expected: 'counts by protocol: tcp, udp, icmp' },
      ),
    ),
  },
  { additionalProperties: false, expected: 'capture expectations: handshake, icmp, packets, noReply, count' },
);
export type CaptureExpectation = Static<typeof CaptureExpectationSchema>;
