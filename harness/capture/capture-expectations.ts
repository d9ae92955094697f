// Checks a capture summary against a spec's capture expectations. Each result says what was expected and
// what the capture showed, in the same words as the summary's events.
import type { CaptureEvent, CaptureSummary, PacketSummary } from '../model/capture.js';
import type { ExpectationResult } from '../model/result.js';
import type { CaptureExpectation, CountRange, PacketExpectation } from './capture-expectation-schema.js';
import { EndpointNames } from './endpoint-names.js';
import { describePacketKind, matchesEndpoint, matchesKind, packetEnds } from './packet-patterns.js';

export { CaptureExpectationSchema, type CaptureExpectation } from './capture-expectation-schema.js';

export function evaluateCaptureExpectations(
  expect: CaptureExpectation,
  summary: CaptureSummary,
  endpointNames: Record<string, string>,
): ExpectationResult[] {
  const names = new EndpointNames(endpointNames);
  const results: ExpectationResult[] = [];
  const events = (kind: CaptureEvent['kind']) => summary.events.filter((event) => event.kind === kind);
  if (expect.handshake !== undefined) {
    const wanted = expect.handshake;
    const ok = wanted === 'complete' ? events('handshake').length > 0 : wanted === 'refused' ? events('refused').length > 0 : events('handshake').length === 0;
    const expected = { complete: 'a completed TCP handshake (SYN, SYN-ACK, ACK)', refused: 'a refused connection (SYN answered by RST)', none: 'no completed TCP handshake' }[wanted];
    results.push(check('capture.handshake', ok, expected, tcpOutcome(summary, names, wanted === 'refused' ? 'refused' : 'handshake')));
  }
  if (expect.icmp === 'port-unreachable') {
    const seen = events('port-unreachable');
    const icmpCount = summary.packets.filter((packet) => packet.protocol === 'icmp' || packet.protocol === 'icmp6').length;
    const silence = events('no-reply')[0];
    const actual = seen[0]?.text ?? (silence ? `no ICMP port unreachable; ${silence.text}` : `no ICMP port unreachable (${plural(icmpCount, 'ICMP packet')})`);
    results.push(check('capture.icmp', seen.length > 0, 'an ICMP port unreachable', actual));
  }
  expect.packets?.forEach((pattern, index) => results.push(checkPackets(`capture.packets[${index}]`, pattern, summary, names)));
  if (expect.noReply !== undefined) {
    const silence = events('no-reply');
    const udpCount = summary.packets.filter((packet) => packet.protocol === 'udp').length;
    const answered = events('port-unreachable')[0];
    const actual =
      silence[0]?.text ?? (udpCount === 0 ? 'no UDP datagrams in the capture' : `an answer to every UDP datagram${answered ? ` (${answered.text})` : ''}`);
    const expected = expect.noReply ? 'a UDP datagram that got no answer' : 'an answer to every UDP datagram';
    results.push(check('capture.noReply', (silence.length > 0) === expect.noReply, expected, actual));
  }
  for (const protocol of ['tcp', 'udp', 'icmp'] as const) {
    const range = expect.count?.[protocol];
    if (range === undefined) continue;
    const seen = summary.packets.filter((packet) => packet.protocol === protocol || (protocol === 'icmp' && packet.protocol === 'icmp6')).length;
    const noun = `${protocol.toUpperCase()} packet`;
    results.push(check(`capture.count.${protocol}`, inRange(seen, range), rangeText(range, noun), `${plural(seen, noun)}${listedNote(summary)}`));
  }
  return results;
}

function checkPackets(name: string, pattern: PacketExpectation, summary: CaptureSummary, names: EndpointNames): ExpectationResult {
  const range = pattern.count ?? { min: 1 };
  const kind = describePacketKind(pattern);
  const route = `${pattern.from ? ` from ${pattern.from}` : ''}${pattern.to ? ` to ${pattern.to}` : ''}`;
  const ofKind = summary.packets.filter((packet) => matchesKind(packet, pattern));
  const matched = ofKind.filter((packet) => {
    const { from, to } = packetEnds(packet);
    return (pattern.from === undefined || matchesEndpoint(from, pattern.from, names)) && (pattern.to === undefined || matchesEndpoint(to, pattern.to, names));
  });
  let actual = `${plural(matched.length, kind)}${route}`;
  if (ofKind.length !== matched.length) actual += ` (all ${kind}s: ${routeCounts(ofKind, names)})`;
  const unknown = [pattern.from, pattern.to].filter((endpoint): endpoint is string => endpoint !== undefined && endpoint !== 'client' && !names.knownNames().includes(endpoint));
  if (unknown.length > 0) actual += `; no endpoint is named ${unknown.map((endpoint) => `"${endpoint}"`).join(' or ')} (names: ${[...names.knownNames(), 'client'].join(', ')})`;
  return check(name, inRange(matched.length, range), `${rangeText(range, kind)}${route}`, `${actual}${listedNote(summary)}`);
}

/** What happened to TCP connection attempts, preferring events of the given kind. */
function tcpOutcome(summary: CaptureSummary, names: EndpointNames, prefer: 'handshake' | 'refused'): string {
  const order: CaptureEvent['kind'][] = prefer === 'refused' ? ['refused', 'handshake'] : ['handshake', 'refused'];
  for (const kind of order) {
    const found = summary.events.filter((event) => event.kind === kind);
    if (found.length > 0) return found.length === 1 ? found[0].text : `${found[0].text} (and ${found.length - 1} more)`;
  }
  const syn = summary.packets.find((packet) => packet.tcp?.flags.includes('SYN') && !packet.tcp.flags.includes('ACK'));
  return syn ? `SYN sent to ${names.describe(syn.destination)} but no SYN-ACK or RST came back` : 'no TCP SYN in the capture';
}

function routeCounts(packets: PacketSummary[], names: EndpointNames): string {
  const counts = new Map<string, number>();
  for (const packet of packets) {
    const { from, to } = packetEnds(packet);
    const key = `${names.describe(from, 'client')} → ${names.describe(to, 'client')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([route, count]) => `${count} ${route}`).join(', ');
}

export function inRange(count: number, range: CountRange): boolean {
  if (typeof range === 'number') return count === range;
  return (range.min === undefined || count >= range.min) && (range.max === undefined || count <= range.max);
}

/** "exactly 2 TCP packets", "at least 1 TCP SYN", "between 1 and 3 UDP datagrams". */
export function rangeText(range: CountRange, noun: string): string {
  if (typeof range === 'number') return `exactly ${plural(range, noun)}`;
  if (range.min !== undefined && range.max !== undefined) {
    return range.min === range.max ? `exactly ${plural(range.min, noun)}` : `between ${range.min} and ${plural(range.max, noun)}`;
  }
  return range.min !== undefined ? `at least ${plural(range.min, noun)}` : `at most ${plural(range.max!, noun)}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function listedNote(summary: CaptureSummary): string {
  return summary.packets.length < summary.packetCount ? ` among the first ${summary.packets.length} of ${summary.packetCount} packets` : '';
}

function check(name: string, ok: boolean, expected: string, actual: string): ExpectationResult {
  return { name, ok, expected, actual, message: ok ? `${name}: ${actual}` : `${name}: expected ${expected}, got ${actual}` };
}
