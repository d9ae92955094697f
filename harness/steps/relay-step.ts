// `relay: NAME` — a user-space link between client and server that delays, drops or reorders UDP
// datagrams, or delays TCP data: to show why UDP clients need timeouts. Clients talk to the relay's
// port; it forwards to the server's. Counts are checked when the experiment ends.
import { Type, type Static } from '@sinclair/typebox';
import { Duration, PortRef } from '../schema/parts.js';
import { parseDuration } from '../schema/duration.js';
import { TcpRelay, UdpRelay, type LinkCounts } from '../fixtures/link-relay.js';
import type { ExpectationResult } from '../model/result.js';
import { countRange, verdict } from '../expect/verdict.js';
import type { StepKind } from './step-kind.js';
import { portTaken } from './shared/port-taken.js';

const Count = Type.Integer({ minimum: 0, expected: 'a count' });

const RelayStepSchema = Type.Object(
  {
    relay: Type.String({ pattern: '^[a-z][a-z0-9-]*$', expected: 'a name for the link, such as link' }),
    title: Type.Optional(Type.String()),
    protocol: Type.Union([Type.Literal('udp'), Type.Literal('tcp')], { expected: 'udp or tcp' }),
    listen: PortRef,
    to: PortRef,
    delay: Type.Optional(Duration),
    drop: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { expected: 'a list of datagram numbers (1 = the first) to drop' })),
    reorder: Type.Optional(Type.Boolean({ description: 'Swap each pair of consecutive datagrams.' })),
    expect: Type.Optional(
      Type.Object(
        { received: Type.Optional(Count), forwarded: Type.Optional(Count), dropped: Type.Optional(Count), replies: Type.Optional(Count) },
        { additionalProperties: false, expected: 'relay counts: received, forwarded, dropped, replies (datagrams for UDP, bytes for TCP)' },
      ),
    ),
  },
  { additionalProperties: false, expected: 'a relay step: relay, protocol, listen, to, delay, drop, reorder, expect' },
);
type RelayStep = Static<typeof RelayStepSchema>;

export const relayStep: StepKind<RelayStep> = {
  key: 'relay',
  schema: RelayStepSchema,
  summary: 'A link between client and server in user space that delays, drops or reorders datagrams (or delays TCP data).',
  runsOn: 'server',
  // It holds what it relays (a delay, a datagram kept back to reorder): not only an answer to input.
  timed: () => true,
  label: (step) => step.title ?? `relay ${step.protocol} ${step.listen} → ${step.to}${step.drop?.length ? ` dropping #${step.drop.join(', #')}` : ''}${step.delay ? ` delay ${step.delay}` : ''}`,
  defines: (step) => step.relay,
  async execute(step, context) {
    const target = { host: context.hosts.server, port: Number(step.to) };
    const delayMs = step.delay === undefined ? 0 : (parseDuration(step.delay) ?? 0);
    if (step.protocol === 'tcp' && (step.drop?.length || step.reorder)) {
      return { expectations: [], error: { code: 'BAD_RELAY', message: 'TCP links can only be delayed: TCP itself repairs drops and order' } };
    }
    const network = await context.network();
    const relay = step.protocol === 'udp' ? new UdpRelay(network, target, { delayMs, drop: step.drop ?? [], reorder: step.reorder ?? false }) : new TcpRelay(network, target, delayMs);
    try {
      await relay.listen(context.hosts.server, Number(step.listen));
    } catch (error) {
      return portTaken('relay', step.listen, error);
    }
    context.onTeardown(async () => relay.close());
    const listening = { host: context.hosts.server, port: Number(step.listen) };
    context.atEnd(async () => ({ expectations: judge(step, relay.counts), details: { kind: 'relay', protocol: step.protocol, listening, to: target, counts: { ...relay.counts } } }));
    return { expectations: [], notes: [`relaying ${step.protocol} ${context.hosts.server}:${step.listen} → ${target.host}:${target.port}`] };
  },
};

function judge(step: RelayStep, counts: LinkCounts): ExpectationResult[] {
  return Object.entries(step.expect ?? {}).map(([name, wanted]) => {
    const actual = counts[name as keyof LinkCounts];
    return verdict(name, actual === wanted, String(wanted), String(actual), { kind: 'count', subject: name, expected: countRange(wanted), actual });
  });
}
