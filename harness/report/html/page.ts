// The whole report page: head with an inline stylesheet and a Content-Security-Policy that allows only
// that stylesheet and our one script (by hash), the run summary, the filter bar and the experiments.
// The policy is a second line of defence: were some program output ever left unescaped, the browser
// would still refuse to run or load anything it injected.
import { createHash } from 'node:crypto';
import type { RunCounts, RunResult } from '../../model/result.js';
import { formatDuration, programLines } from '../result-text.js';
import { renderGroups } from './experiment-section.js';
import { readableTime } from './format.js';
import { pageScript } from './page-script.js';
import { pageStyle } from './page-style.js';
import { html, trustedHtml, type SafeHtml } from './safe-html.js';
import { statusBadge, statusLabels, statusOrder } from './status.js';

const contentSecurityPolicy = [
  "default-src 'none'",
  `style-src '${sha256(pageStyle)}'`,
  `script-src '${sha256(pageScript)}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function renderPage(run: RunResult): string {
  const title = `socklab report: ${statusLabels[run.status]}, ${run.score}/${run.maxScore} points (${run.subject})`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="${run.tool.name} ${run.tool.version}">
<title>${title}</title>
<style>${trustedHtml(pageStyle)}</style>
</head>
<body>
${renderHeader(run)}
${renderFilters(run.counts)}
<main id="results"><div class="wrap">
${run.experiments.length > 0 ? renderGroups(run.experiments) : html`<p class="empty-note">No experiments ran.</p>`}
<p id="nothing-shown" class="empty-note" hidden>No experiment matches the filters.</p>
</div></main>
<script>${trustedHtml(pageScript)}</script>
</body>
</html>
`.value;
}

function renderHeader(run: RunResult): SafeHtml {
  const countLabels: Record<keyof Omit<RunCounts, 'total'>, string> = {
    passed: 'passed',
    failed: 'failed',
    error: 'harness errors',
    skipped: 'skipped',
    interrupted: 'interrupted',
  };
  const { environment } = run;
  return html`<header class="page-header"><div class="wrap">
<h1>socklab report ${statusBadge(run.status)}</h1>
<div class="summary">
${statusOrder.map((status) => html`<div class="count status-${status}"><span class="n">${run.counts[status]}</span> ${countLabels[status]}</div>`)}
<div class="count score"><span class="n">${run.score} / ${run.maxScore}</span> points
<meter min="0" max="${Math.max(run.maxScore, 1)}" value="${run.score}" aria-label="score">${run.score} of ${run.maxScore}</meter></div>
</div>
<dl class="run-meta">
<div><dt>subject</dt><dd><code>${run.subject}</code></dd></div>
<div><dt>started</dt><dd><time datetime="${run.startedAt}">${readableTime(run.startedAt)}</time></dd></div>
<div><dt>duration</dt><dd>${formatDuration(run.durationMs)}</dd></div>
<div><dt>experiments</dt><dd>${run.counts.total}</dd></div>
<div><dt>environment</dt><dd>${run.tool.name} ${run.tool.version}, node ${environment.node}, ${environment.platform}, ${environment.jobs} of ${environment.cpus} cpus</dd></div>
${environment.sandbox ? html`<div><dt>sandbox</dt><dd>${environment.sandbox}</dd></div>` : ''}
</dl>
${run.submission ? html`<details class="programs"><summary>Which program plays each role, and why</summary><ul class="notes">${programLines(run.submission).map((line) => html`<li>${line}</li>`)}${run.submission.missing.length ? html`<li>no program for: ${run.submission.missing.join(', ')}</li>` : ''}</ul></details>` : ''}
</div></header>`;
}

/** Hidden until the script shows it: without the script the controls would do nothing. */
function renderFilters(counts: RunCounts): SafeHtml {
  return html`<form id="filters" class="filters" role="search" aria-label="Filter experiments" hidden><div class="wrap">
<fieldset><legend>Show</legend>
${statusOrder.map(
    (status) => html`<label class="toggle"><input type="checkbox" name="status" value="${status}" checked> ${statusBadge(status)} <span class="muted">${counts[status]}</span></label>`,
  )}
</fieldset>
<label class="search">Search <input type="search" id="search" placeholder="id, title or tag" autocomplete="off"></label>
<button type="button" id="expand-all">Expand all</button>
<button type="button" id="collapse-all">Collapse all</button>
<span id="shown-count" class="shown-count" aria-live="polite"></span>
</div></form>`;
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}
