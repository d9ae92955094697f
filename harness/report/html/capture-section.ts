// What tcpdump saw during an experiment: status, the pcap link, the ladder diagram, the events in plain
// words, and conversations and packets as tables (the text equivalent of the diagram).
import type { CaptureResult, CaptureSummary, Conversation, Endpoint } from '../../model/capture.js';
import { endpointAddress, endpointName } from './endpoints.js';
import { formatTime } from './format.js';
import { defaultMaxLadderPackets, renderLadder } from './ladder-svg.js';
import { html, trustedHtml, type SafeHtml } from './safe-html.js';
import { renderExpectations } from './step-section.js';

export function renderCapture(capture: CaptureResult): SafeHtml {
  const names = capture.endpointNames;
  const summary = capture.summary;
  return html`<section class="capture">
<h3>Packet capture</h3>
${renderCaptureStatus(capture)}
${capture.remote?.length ? renderRemoteCaptures(capture.remote) : ''}
${capture.notes?.length ? html`<ul class="notes">${capture.notes.map((note) => html`<li>${note}</li>`)}</ul>` : ''}
${capture.expectations?.length ? renderExpectations(capture.expectations, 'Expectations on the wire') : ''}
${summary ? renderSummary(summary, names) : ''}
</section>`;
}

function renderCaptureStatus(capture: CaptureResult): SafeHtml {
  const where = [
    capture.interface ? html`interface <code>${capture.interface}</code>` : '',
    capture.filter ? html`filter <code>${capture.filter}</code>` : '',
  ].filter((part) => part !== '');
  const pcap = pcapHref(capture.pcapFile);
  const link = pcap
    ? html` <a class="pcap" href="${pcap}" download>Download ${capture.pcapFile}</a> (open it in Wireshark)`
    : capture.pcapFile
      ? html` pcap: <code>${capture.pcapFile}</code>`
      : '';
  if (capture.status === 'captured') {
    return html`<p class="capture-status">Captured${where.length > 0 ? html` on ${where[0]}${where[1] ? html`, ${where[1]}` : ''}` : ''}.${link}</p>`;
  }
  const reason = capture.reason ?? 'no reason given';
  return html`<p class="capture-status capture-${capture.status}" role="note"><strong>capture ${capture.status}:</strong> ${reason}${link}</p>`;
}

/** The other ends' captures (tcpdump there over SSH): a link to each copied pcap, or why there is none. */
function renderRemoteCaptures(captures: NonNullable<CaptureResult['remote']>): SafeHtml {
  return html`<ul class="notes remote-captures">${captures.map((capture) => {
    const pcap = pcapHref(capture.pcapFile);
    if (capture.status !== 'captured') return html`<li class="capture-${capture.status}">The other end, ${capture.host}: <strong>${capture.reason ?? `capture ${capture.status}`}</strong></li>`;
    return html`<li>The other end, ${capture.host}: ${capture.packetCount ?? '?'} packets. ${pcap ? html`<a class="pcap" href="${pcap}" download>Download ${capture.pcapFile}</a>` : html`<code>${capture.pcapFile ?? ''}</code>`}</li>`;
  })}</ul>`;
}

/**
 * The pcap as a link relative to the report folder, each path segment URL-encoded. Anything that
 * could leave the folder (a scheme, an absolute path, `..`) is shown as text only.
 */
function pcapHref(pcapFile: string | undefined): string | undefined {
  if (!pcapFile || /^[a-z][a-z0-9+.-]*:/i.test(pcapFile) || /^[\\/]/.test(pcapFile)) return undefined;
  const segments = pcapFile.split(/[\\/]/);
  if (segments.some((segment) => segment === '..' || segment === '')) return undefined;
  return segments.map(encodeURIComponent).join('/');
}

function renderSummary(summary: CaptureSummary, names: Record<string, string>): SafeHtml {
  const listed = summary.packets.length;
  const total = Math.max(summary.packetCount, listed);
  const drawnNote = listed > defaultMaxLadderPackets || total > listed
    ? html`<p class="muted">The diagram shows the first ${Math.min(listed, defaultMaxLadderPackets)} of ${total} packets; the pcap has them all.</p>`
    : '';
  return html`<p class="muted">${total} packets (${summary.linkType}).</p>
${summary.events.length > 0 ? renderEvents(summary) : html`<p>No notable events.</p>`}
<figure class="ladder-figure">
<figcaption>Sequence diagram — time runs downwards, one row per packet; hover an arrow for details.</figcaption>
<div class="ladder-scroll" tabindex="0">${trustedHtml(renderLadder(summary, names))}</div>
${drawnNote}
</figure>
${summary.conversations.length > 0 ? renderConversations(summary.conversations, names) : ''}
${listed > 0 ? renderPackets(summary, names) : ''}`;
}

function renderEvents(summary: CaptureSummary): SafeHtml {
  return html`<h4>What happened</h4>
<ol class="events">${summary.events.map(
    (event) => html`<li class="event-${event.kind}"><span class="muted">${formatTime(event.timeMs)}</span> ${event.text} <span class="muted">(packet #${event.packet})</span></li>`,
  )}</ol>`;
}

function renderConversations(conversations: Conversation[], names: Record<string, string>): SafeHtml {
  return html`<div class="table-scroll"><table class="conversations">
<caption>Conversations</caption>
<thead><tr><th scope="col">protocol</th><th scope="col">endpoint A</th><th scope="col">endpoint B</th><th scope="col" class="num">packets</th><th scope="col" class="num">bytes</th><th scope="col" class="num">start</th><th scope="col" class="num">duration</th></tr></thead>
<tbody>${conversations.map(
    (c) => html`<tr><td>${c.protocol.toUpperCase()}</td><td>${endpointCell(c.a, names)}</td><td>${endpointCell(c.b, names)}</td>
<td class="num">${c.packets}</td><td class="num">${c.bytes}</td><td class="num">${formatTime(c.startMs)}</td><td class="num">${formatTime(c.durationMs)}</td></tr>`,
  )}</tbody>
</table></div>`;
}

function renderPackets(summary: CaptureSummary, names: Record<string, string>): SafeHtml {
  return html`<details class="packets"><summary>Packet list (${summary.packets.length})</summary>
<div class="table-scroll"><table>
<thead><tr><th scope="col" class="num">#</th><th scope="col" class="num">time</th><th scope="col">from</th><th scope="col">to</th><th scope="col">protocol</th><th scope="col">info</th></tr></thead>
<tbody>${summary.packets.map(
    (p) => html`<tr><td class="num">${p.index}</td><td class="num">${formatTime(p.timeMs)}</td><td>${endpointCell(p.source, names)}</td><td>${endpointCell(p.destination, names)}</td>
<td>${p.protocol.toUpperCase()}</td><td><code>${p.info}</code>${p.payloadPreview ? html`<br><code class="muted">${p.payloadPreview}</code>` : ''}</td></tr>`,
  )}</tbody>
</table></div></details>`;
}

function endpointCell(endpoint: Endpoint, names: Record<string, string>): SafeHtml {
  const name = endpointName(endpoint, names);
  return html`${name ? html`<strong>${name}</strong> ` : ''}<code>${endpointAddress(endpoint)}</code>`;
}
