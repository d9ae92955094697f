// The ladder (sequence) diagram of a capture: one vertical lane per endpoint, time going down, one arrow
// per packet. Rows follow packet order rather than a time scale, because a handshake takes microseconds
// and a timeout seconds: a true scale would squash the interesting part into one line. Each row carries
// its time instead, and a long pause gets a marker. Colours are presentation attributes so the SVG also
// stands alone (the page's CSS may still restyle the classes).
import type { CaptureSummary, Endpoint, PacketSummary } from '../../model/capture.js';
import { endpointAddress, endpointLabel, endpointName } from './endpoints.js';
import { formatTime } from './format.js';
import { html, type SafeHtml } from './safe-html.js';

export interface LadderOptions {
  /** Packets drawn at most; a note says how many more there were. Default 150. */
  maxPackets?: number;
}

export const defaultMaxLadderPackets = 150;

const gutter = 92; // left column with the time of each row
const laneSpacing = 270;
const headerHeight = 48;
const rowHeight = 28;
const pauseHeight = 22;
/** A pause at least this long between two packets gets its own marker row. */
const pauseThresholdMs = 500;
const charWidth = 7.2; // 12px monospace
const monospace = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace";

const colors = { ink: '#1f2328', muted: '#59636e', lane: '#8c959f', data: '#0550ae', udp: '#6639ba', alarm: '#cf222e' };

interface Lane {
  address: string;
  name?: string;
  x: number;
}

interface Arrow {
  packet: PacketSummary;
  from: number;
  to: number;
}

/** Inline SVG markup for the capture's packets (at most `maxPackets`), safe to embed in HTML as is. */
export function renderLadder(summary: CaptureSummary, endpointNames: Record<string, string>, options: LadderOptions = {}): string {
  const maxPackets = options.maxPackets ?? defaultMaxLadderPackets;
  const packets = summary.packets.slice(0, maxPackets);
  const lanes: Lane[] = [];
  const laneIndex = (endpoint: Endpoint): number => {
    const address = endpointAddress(endpoint);
    let index = lanes.findIndex((lane) => lane.address === address);
    if (index < 0) {
      index = lanes.length;
      lanes.push({ address, name: endpointName(endpoint, endpointNames), x: gutter + laneSpacing / 2 + index * laneSpacing });
    }
    return index;
  };
  const arrows: Arrow[] = packets.map((packet) => {
    const [source, destination] = arrowEnds(packet);
    return { packet, from: laneIndex(source), to: laneIndex(destination) };
  });

  const rows: SafeHtml[] = [];
  let y = headerHeight + 30;
  arrows.forEach((arrow, index) => {
    const previous = arrows[index - 1]?.packet;
    const pause = previous ? arrow.packet.timeMs - previous.timeMs : 0;
    if (pause >= pauseThresholdMs) {
      rows.push(html`<text class="pause" x="${gutter - 10}" y="${y - 4}" text-anchor="end" font-size="11" fill="${colors.muted}" font-style="italic"><title>${formatTime(pause)} without packets</title>⋮ +${formatTime(pause)}</text>`);
      y += pauseHeight;
    }
    rows.push(renderArrow(arrow, lanes, y, endpointNames));
    y += rowHeight;
  });

  const total = Math.max(summary.packetCount, summary.packets.length);
  const note = total > packets.length ? `showing the first ${packets.length} of ${total} packets` : undefined;
  const lanesBottom = y - rowHeight / 2;
  const height = lanesBottom + (note ? 40 : 16);
  const width = gutter + Math.max(1, lanes.length) * laneSpacing;
  const title = `Sequence diagram: ${count(packets.length, 'packet')} between ${count(lanes.length, 'endpoint')}`;
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="ladder" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${monospace}" font-size="12">
<title>${title}</title>
${lanes.map((lane, index) => renderLane(lane, index, lanesBottom))}
${packets.length === 0 ? html`<text class="note" x="${gutter}" y="${headerHeight + 24}" fill="${colors.muted}">no packets were captured</text>` : ''}
${rows}
${note ? html`<text class="note" x="${gutter}" y="${height - 14}" fill="${colors.muted}">${note}</text>` : ''}
</svg>`.value;
}

/**
 * An ICMP error is drawn from the endpoint its quoted datagram was addressed to back to the sender, so a
 * "port unreachable" reads as the closed port answering (it is really that host's kernel that sends it).
 */
function arrowEnds(packet: PacketSummary): [Endpoint, Endpoint] {
  const quoted = packet.icmp?.quoted;
  return quoted ? [quoted.destination, quoted.source] : [packet.source, packet.destination];
}

function renderLane(lane: Lane, index: number, bottom: number): SafeHtml {
  const boxWidth = laneSpacing - 30;
  const maxChars = Math.floor((boxWidth - 12) / charWidth);
  const nameLine = lane.name
    ? html`<text x="${lane.x}" y="20" text-anchor="middle" font-weight="bold" fill="${colors.ink}">${truncate(lane.name, maxChars)}</text>
<text x="${lane.x}" y="36" text-anchor="middle" font-size="11" fill="${colors.muted}">${truncate(lane.address, maxChars)}</text>`
    : html`<text x="${lane.x}" y="28" text-anchor="middle" font-weight="bold" fill="${colors.ink}">${truncate(lane.address, maxChars)}</text>`;
  return html`<g class="lane" data-lane="${index}"><title>${lane.name ? `${lane.name} (${lane.address})` : lane.address}</title>
<rect class="lane-head" x="${lane.x - boxWidth / 2}" y="4" width="${boxWidth}" height="${headerHeight - 8}" rx="6" fill="#f6f8fa" stroke="#d1d9e0"/>
${nameLine}
<line class="lane-line" x1="${lane.x}" y1="${headerHeight - 4}" x2="${lane.x}" y2="${bottom}" stroke="${colors.lane}" stroke-width="1.5"/>
</g>`;
}

function renderArrow(arrow: Arrow, lanes: Lane[], y: number, endpointNames: Record<string, string>): SafeHtml {
  const { packet } = arrow;
  const style = arrowStyle(packet);
  const x1 = lanes[arrow.from]!.x;
  const x2 = lanes[arrow.to]!.x;
  const [source, destination] = arrowEnds(packet);
  const tooltip = [
    `#${packet.index} at ${formatTime(packet.timeMs)}: ${endpointLabel(source, endpointNames)} → ${endpointLabel(destination, endpointNames)}`,
    `${packet.protocol.toUpperCase()} ${packet.info}`,
    ...(packet.icmp?.quoted ? [`sent by ${packet.source.host} about the datagram to ${endpointAddress(packet.icmp.quoted.destination)}`] : []),
    ...(packet.payloadPreview ? [`payload: ${packet.payloadPreview}`] : []),
  ].join('\n');
  const dash = style.dashed ? html` stroke-dasharray="6 4"` : '';
  const common = html`stroke="${style.color}" stroke-width="${style.width}"${dash}`;
  let shape: SafeHtml;
  let labelX: number;
  let anchor: string;
  let maxChars: number;
  if (x1 === x2) {
    // A packet from an endpoint to itself: a small loop to the right of its lane.
    shape = html`<path d="M ${x1} ${y - 6} h 26 v 12 h -18" fill="none" ${common}/>${arrowHead(x1, y + 6, -1, style.color)}`;
    labelX = x1 + 32;
    anchor = 'start';
    maxChars = Math.floor((laneSpacing / 2 - 40) / charWidth);
  } else {
    const direction = x2 > x1 ? 1 : -1;
    shape = html`<line x1="${x1}" y1="${y}" x2="${x2 - direction * 8}" y2="${y}" ${common}/>${arrowHead(x2, y, direction, style.color)}`;
    labelX = (x1 + x2) / 2;
    anchor = 'middle';
    maxChars = Math.floor((Math.abs(x2 - x1) - 24) / charWidth);
  }
  const classes = ['packet', packet.protocol, ...style.classes].join(' ');
  return html`<g class="${classes}" data-packet="${packet.index}" data-from="${arrow.from}" data-to="${arrow.to}"><title>${tooltip}</title>
<text class="time" x="${gutter - 10}" y="${y + 4}" text-anchor="end" font-size="11" fill="${colors.muted}">${formatTime(packet.timeMs)}</text>
${shape}
<text class="label" x="${labelX}" y="${y - 6}" text-anchor="${anchor}" fill="${style.labelColor}" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke">${truncate(packet.info, maxChars)}</text>
</g>`;
}

interface ArrowStyle {
  color: string;
  labelColor: string;
  width: number;
  dashed: boolean;
  classes: string[];
}

/** ICMP dashed red, RST solid red and thicker, data blue, UDP purple, other TCP control packets black. */
function arrowStyle(packet: PacketSummary): ArrowStyle {
  if (packet.protocol === 'icmp' || packet.protocol === 'icmp6') {
    return { color: colors.alarm, labelColor: colors.alarm, width: 2, dashed: true, classes: ['icmp-error'] };
  }
  if (packet.tcp?.flags.includes('RST')) {
    return { color: colors.alarm, labelColor: colors.alarm, width: 2.5, dashed: false, classes: ['rst'] };
  }
  if (packet.protocol === 'udp') return { color: colors.udp, labelColor: colors.udp, width: 1.5, dashed: false, classes: [] };
  if (packet.payloadLength > 0) return { color: colors.data, labelColor: colors.data, width: 1.5, dashed: false, classes: ['data'] };
  return { color: colors.ink, labelColor: colors.ink, width: 1.5, dashed: false, classes: [] };
}

function arrowHead(tipX: number, y: number, direction: number, color: string): SafeHtml {
  const backX = tipX - direction * 10;
  return html`<polygon points="${tipX},${y} ${backX},${y - 5} ${backX},${y + 5}" fill="${color}"/>`;
}

function truncate(text: string, maxChars: number): string {
  const limit = Math.max(4, maxChars);
  const characters = Array.from(text); // by code point, so an emoji is never cut in half
  return characters.length <= limit ? text : `${characters.slice(0, limit - 1).join('')}…`;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
