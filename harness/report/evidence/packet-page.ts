// The packets of one experiment as Wireshark would list them (No., Time, Source, Destination,
// Protocol, Length, Info, in its default colours), with the Decode As settings needed to see the
// same in Wireshark, the tshark command that prints the same list, and the conversation's ladder.
import type { CaptureSummary, PacketSummary } from '../../model/capture.js';
import type { PacketList } from '../../model/packet-list.js';
import type { ExperimentResult } from '../../model/result.js';
import { renderLadder } from '../html/ladder-svg.js';
import { html, trustedHtml } from '../html/safe-html.js';
import { evidenceDocument } from './evidence-document.js';

/** Rows listed at most; the pcap has them all. */
const MAX_ROWS = 400;

export interface PacketPageInput {
  experiment: ExperimentResult;
  list: PacketList;
  /** The summary the ladder is drawn from (the same pcap). */
  summary: CaptureSummary;
  /** The pcap's file name, next to the page. */
  pcapName: string;
  madeBy: string;
}

/** `tshark -r p1.pcap -d tcp.port==44559,smtp`: the command that prints the same list. */
export function tsharkCommand(pcapName: string, list: PacketList): string {
  return ['tshark', '-r', pcapName, ...list.decodeAs.map((rule) => `-d ${rule.layer}==${rule.port},${rule.protocol}`)].join(' ');
}

export function renderPacketPage(input: PacketPageInput): string {
  const { experiment, list, summary } = input;
  const rows = list.rows.slice(0, MAX_ROWS);
  const names = experiment.capture?.endpointNames ?? {};
  const conversation = summary.packets.filter((packet) => !isHousekeeping(packet));
  const housekeeping = summary.packets.length - conversation.length;
  const ladder = { ...summary, packetCount: summary.packetCount - housekeeping, packets: conversation };
  const body = html`<header><h1>${experiment.id}: packets</h1>
<p class="sub">${list.rows.length} packets in <code>${input.pcapName}</code>, listed as Wireshark lists them · the same list: <code>${tsharkCommand(input.pcapName, list)}</code></p></header>
${
  list.decodeAs.length > 0
    ? html`<p class="decode-as">In Wireshark, Analyze → Decode As…: ${list.decodeAs.map(
        (rule) => html`${rule.layer === 'tcp.port' ? 'TCP' : 'UDP'} port <strong>${rule.port}</strong> → <strong>${rule.protocol === 'data' ? '(none)' : rule.protocol.toUpperCase()}</strong> (${rule.reason}). `,
      )}</p>`
    : ''
}
<table class="packet-list">
<thead><tr><th class="num">No.</th><th class="num">Time</th><th>Source</th><th>Destination</th><th>Protocol</th><th class="num">Length</th><th>Info</th></tr></thead>
<tbody>${rows.map(
    (row) => html`<tr class="tone-${row.tone}"><td class="num">${row.number}</td><td class="num">${row.time}</td><td>${row.source}</td><td>${row.destination}</td><td>${row.protocol}</td><td class="num">${row.length}</td><td class="info">${row.info}</td></tr>`,
  )}</tbody>
</table>
${list.rows.length > rows.length ? html`<p class="sub">The first ${rows.length} of ${list.rows.length} packets; the pcap has them all.</p>` : ''}
<h2>The conversation</h2>
<div class="ladder-box">${trustedHtml(renderLadder(withListLabels(ladder, list), names))}</div>
${housekeeping > 0 ? html`<p class="sub">Left out of the diagram: ${housekeeping} IPv6 housekeeping packet${housekeeping === 1 ? '' : 's'} (router solicitations, multicast listener reports) that the hosts' interfaces sent when they came up; the list above has them.</p>` : ''}
<footer>Made by ${input.madeBy} from <code>${input.pcapName}</code>${experiment.capture?.interface ? html`, captured by tcpdump on <code>${experiment.capture.interface}</code>` : ''}. Open the pcap in Wireshark to see every byte.</footer>`;
  return evidenceDocument(`${experiment.id}: packets`, body);
}

/** The ladder's arrows labelled like the list's rows, without the ports (the lanes show them) and TCP options. */
function withListLabels(summary: CaptureSummary, list: PacketList): CaptureSummary {
  const label = (info: string, protocol: string) =>
    protocol === 'UDP' ? `UDP ${info.replace(/^\d+ → \d+ /, '')}` : info.replace(/(\d+ → \d+ )(?=\[)/, '').replace(/ (MSS|SACK_PERM|TSval|WS|SLE)\b.*$/, '').trim();
  return { ...summary, packets: summary.packets.map((packet) => ({ ...packet, info: list.rows[packet.index] ? label(list.rows[packet.index].info, list.rows[packet.index].protocol) : packet.info })) };
}

/** ICMPv6 multicast listener and neighbour discovery messages (types 130–137, 143): no part of a lab's conversation. */
function isHousekeeping(packet: PacketSummary): boolean {
  return packet.protocol === 'icmp6' && packet.icmp !== undefined && ((packet.icmp.type >= 130 && packet.icmp.type <= 137) || packet.icmp.type === 143);
}
