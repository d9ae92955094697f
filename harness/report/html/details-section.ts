// What a step's kind saw, in full: the HTTP exchange (request, status, headers, body), the bytes of a
// raw exchange, the requests an origin received, the SMTP dialog and messages a sink recorded, a
// relay's counts, a browser's visit. One renderer per member of the StepDetails union.
import type { BrowserDetails, HttpDetails, HttpExchangeRecord, OriginDetails, RawDetails, RelayDetails, SmtpSinkDetails, StepDetails } from '../../model/result.js';
import { formatDuration, plural } from '../result-text.js';
import { html, outputHtml, type SafeHtml } from './safe-html.js';

/** At most this many answers of a `parallel:` request are shown one by one. */
const maxExchangesShown = 5;

export function renderDetails(details: StepDetails): SafeHtml {
  return html`<div class="details details-${details.kind}">${body(details)}</div>`;
}

function body(details: StepDetails): SafeHtml {
  switch (details.kind) {
    case 'http':
      return renderHttp(details);
    case 'raw':
      return renderRaw(details);
    case 'origin':
      return renderOrigin(details);
    case 'smtp-sink':
      return renderSink(details);
    case 'relay':
      return renderRelay(details);
    case 'browser':
      return renderBrowser(details);
  }
}

function renderHttp(details: HttpDetails): SafeHtml {
  const { request } = details;
  const shown = details.exchanges.slice(0, maxExchangesShown);
  const more = details.exchanges.length - shown.length;
  return html`<h5>HTTP exchange</h5>
<dl class="facts">
<dt>request</dt><dd><code>${request.method} ${request.url}</code>${details.proxy ? html` via proxy <code>${details.proxy}</code>` : ''}${request.bodyBytes ? html` with a ${plural(request.bodyBytes, 'byte')} body` : ''}</dd>
${details.connectedTo ? html`<dt>connected to</dt><dd><code>${details.connectedTo.host}:${details.connectedTo.port}</code></dd>` : ''}
${details.exchanges.length > 1 ? html`<dt>requests</dt><dd>${details.exchanges.length} at once, all answered within ${formatDuration(details.wallMs)}</dd>` : ''}
</dl>
${shown.map((exchange, index) => renderExchange(exchange, details.exchanges.length > 1 ? index + 1 : undefined))}
${more > 0 ? html`<p class="muted">… and ${plural(more, 'more response')} (results.json has every one).</p>` : ''}`;
}

function renderExchange(exchange: HttpExchangeRecord, number: number | undefined): SafeHtml {
  const title = number === undefined ? 'response' : `response ${number}`;
  if (exchange.status === undefined) {
    return html`<p class="exchange"><strong>${title}:</strong> none — <code>${exchange.error?.code ?? '?'}</code> ${exchange.error?.message ?? ''} <span class="muted">(${formatDuration(exchange.durationMs)})</span></p>`;
  }
  const headers = Object.entries(exchange.headers);
  return html`<div class="exchange"><p><strong>${title}:</strong> <code>HTTP/${exchange.httpVersion ?? '1.1'} ${exchange.status} ${exchange.statusText ?? ''}</code>
<span class="muted">${plural(exchange.bodyBytes, 'byte')}${exchange.bodyTruncated ? ' (truncated)' : ''} in ${formatDuration(exchange.durationMs)}</span>${exchange.error ? html` then <code>${exchange.error.code}</code> ${exchange.error.message}` : ''}</p>
${headers.length ? html`<details><summary>${plural(headers.length, 'header')}</summary><pre class="output-text">${outputHtml(headers.map(([name, value]) => `${name}: ${value}`).join('\n'))}</pre></details>` : ''}
${exchange.bodyBytes ? html`<details><summary>body${exchange.bodyBytes > exchange.bodyPreview.length ? ' (start)' : ''}</summary><pre class="output-text">${outputHtml(exchange.bodyPreview)}</pre></details>` : ''}</div>`;
}

function renderRaw(details: RawDetails): SafeHtml {
  return html`<h5>Bytes exchanged</h5>
<dl class="facts">
<dt>sent</dt><dd>${plural(details.sentBytes, 'byte')} to <code>${details.target.host}:${details.target.port}</code>: <code>${details.sentPreview}</code></dd>
<dt>received</dt><dd>${plural(details.receivedBytes, 'byte')}, ${details.closed ? 'then the server closed the connection' : 'the connection stayed open'}${details.error ? html` (<code>${details.error.code}</code> ${details.error.message})` : ''} <span class="muted">in ${formatDuration(details.durationMs)}</span></dd>
</dl>
${details.receivedBytes ? html`<pre class="output-text">${outputHtml(details.receivedPreview)}</pre>` : ''}`;
}

function renderOrigin(details: OriginDetails): SafeHtml {
  return html`<h5>What the origin server received</h5>
<p>Listening on <code>${details.listening.host}:${details.listening.port}</code>: ${plural(details.requests.length, 'request')}.</p>
${details.requests.length ? html`<div class="table-scroll"><table class="compact"><thead><tr><th scope="col">#</th><th scope="col">request</th><th scope="col" class="num">at</th></tr></thead>
<tbody>${details.requests.map((request, index) => html`<tr><td>${index + 1}</td><td><code>${request.method} ${request.path}</code></td><td class="num">+${formatDuration(request.atMs)}</td></tr>`)}</tbody></table></div>` : ''}`;
}

function renderSink(details: SmtpSinkDetails): SafeHtml {
  const sessions = details.sessions.filter((session) => session.commands.length > 0);
  return html`<h5>What the SMTP server received</h5>
<p>Listening on <code>${details.listening.host}:${details.listening.port}</code>${details.starttls ? ' with STARTTLS' : ''}: ${plural(sessions.length, 'session')}, ${plural(details.messages.length, 'message')} delivered.</p>
${sessions.length ? html`<ol class="dialogs">${sessions.map((session) => html`<li>${session.remote ? html`<code>${session.remote}</code>${session.secure ? ' (TLS)' : ''}: ` : ''}<code>${session.commands.join(' → ')}</code></li>`)}</ol>` : ''}
${details.messages.map(
  (message, index) => html`<details class="message"><summary>message ${index + 1}: from <code>${message.from}</code> to <code>${message.to.join(', ')}</code>${message.headers.subject ? html` — “${message.headers.subject}”` : ''}</summary>
<p class="muted">${message.secure ? 'over TLS' : 'in plain text'}${message.user ? ` · AUTH as ${message.user}` : ''}</p>
<pre class="output-text">${outputHtml(message.body)}</pre></details>`,
)}`;
}

function renderRelay(details: RelayDetails): SafeHtml {
  const unit = details.protocol === 'udp' ? 'datagrams' : 'bytes';
  return html`<h5>The link</h5>
<p>${details.protocol.toUpperCase()} <code>${details.listening.host}:${details.listening.port}</code> → <code>${details.to.host}:${details.to.port}</code> (${unit}):
received ${details.counts.received}, forwarded ${details.counts.forwarded}, dropped ${details.counts.dropped}, replies ${details.counts.replies}.</p>`;
}

function renderBrowser(details: BrowserDetails): SafeHtml {
  return html`<h5>The browser's visit</h5>
<dl class="facts">
<dt>page</dt><dd><code>${details.url}</code>${details.proxy ? html` via proxy <code>${details.proxy}</code>` : ''}</dd>
${details.error ? html`<dt>error</dt><dd><code>${details.error.code}</code> ${details.error.message}</dd>` : html`<dt>status</dt><dd>${details.status ?? '—'}</dd><dt>title</dt><dd>${details.title}</dd>`}
${details.consoleErrors.length ? html`<dt>console errors</dt><dd><ul class="notes">${details.consoleErrors.map((error) => html`<li>${error}</li>`)}</ul></dd>` : ''}
</dl>
${details.text ? html`<details><summary>page text</summary><pre class="output-text">${outputHtml(details.text)}</pre></details>` : ''}`;
}
