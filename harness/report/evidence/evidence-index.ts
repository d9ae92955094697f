// The hand-in pack's index.html and the entries it lists: per experiment, its terminal transcript and
// its packet list, each as a picture to upload (PNG) and a page (HTML), the pcap, and the tshark command
// that prints the same list; or why a part is missing (no tcpdump, no chromium).
import type { ExperimentStatus } from '../../model/result.js';
import { html, type SafeHtml } from '../html/safe-html.js';
import { evidenceDocument } from './evidence-document.js';

/** One page of the pack and its picture (file names relative to the pack's folder). */
export interface EvidencePage {
  html: string;
  png?: string;
  width?: number;
  height?: number;
  /** Why there is no picture: chromium missing or failing. */
  pngMissing?: string;
}

export interface EvidenceEntry {
  id: string;
  title: string;
  status: ExperimentStatus;
  terminals: EvidencePage;
  packets?: EvidencePage & { pcap: string; tshark: string; rows: number };
  /** Why there is no packet list: "the packet list needs tcpdump (apt-get install tcpdump)". */
  packetsMissing?: string;
}

export interface EvidenceIndexInput {
  subject: string;
  startedAt: string;
  entries: EvidenceEntry[];
  madeBy: string;
}

export function renderEvidenceIndex(input: EvidenceIndexInput): string {
  const pictures = input.entries.flatMap((entry) => [entry.terminals.png, entry.packets?.png]).filter(Boolean).length;
  const body = html`<header><h1>Hand-in pack</h1>
<p class="sub">${input.entries.length} experiment${input.entries.length === 1 ? '' : 's'} of ${input.subject}, run ${input.startedAt.slice(0, 16).replace('T', ' ')} UTC · ${pictures} pictures</p></header>
<p>For each experiment: the <strong>terminals</strong> (each command as typed, what was typed on stdin and what each program printed) and the <strong>packets</strong> (the list Wireshark shows, and the conversation's ladder), each as a picture to hand in (PNG) and as a page (HTML). Upload this folder, or the PNGs in it.</p>
<table class="index">
<thead><tr><th>experiment</th><th>terminals</th><th>packets</th></tr></thead>
<tbody>${input.entries.map(renderEntry)}</tbody>
</table>
<footer>Made by ${input.madeBy}.</footer>`;
  return evidenceDocument('Hand-in pack', body, { images: true });
}

function renderEntry(entry: EvidenceEntry): SafeHtml {
  return html`<tr><td><strong>${entry.id}</strong><br>${entry.title}<br><span class="status-${entry.status}">${entry.status}</span></td>
<td>${renderPage(entry.terminals, `${entry.id}: terminals`)}</td>
<td>${
    entry.packets
      ? html`${renderPage(entry.packets, `${entry.id}: packets`)}<a href="${entry.packets.pcap}">${entry.packets.pcap}</a> (${entry.packets.rows} packets; <code>${entry.packets.tshark}</code>)`
      : html`<p class="missing">${entry.packetsMissing ?? 'no packet list'}</p>`
  }</td></tr>`;
}

function renderPage(page: EvidencePage, alt: string): SafeHtml {
  const picture = page.png
    ? html`<a href="${page.png}">${page.png}</a> (${page.width}×${page.height})<img src="${page.png}" alt="${alt}" width="260">`
    : html`<span class="missing">no picture: ${page.pngMissing ?? 'not made'}</span>`;
  return html`${picture}<br><a href="${page.html}">${page.html}</a><br>`;
}
