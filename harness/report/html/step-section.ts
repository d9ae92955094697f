// One step of an experiment: what ran, how it ended, what it printed and which expectations held.
import type { ExpectationResult, ProcessResult, StepResult } from '../../model/result.js';
import { describeExit, describeInvocation, formatCommand, formatDuration, plural, stepTitle, worldLines } from '../result-text.js';
import { diffLines } from './line-diff.js';
import { renderDetails } from './details-section.js';
import { html, outputHtml, type SafeHtml } from './safe-html.js';
import { statusBadge } from './status.js';

/** Outputs longer than this many lines start collapsed. */
const maxOpenOutputLines = 20;

export function renderStep(step: StepResult, ownError: boolean): SafeHtml {
  const { process } = step;
  return html`<li class="step status-${step.status}">
<div class="step-head">${statusBadge(step.status)} <h4 class="step-title">${stepTitle(step)}</h4>
<span class="muted step-time">${step.kind} · started +${formatDuration(step.startedAtMs)} · took ${formatDuration(step.durationMs)}</span></div>
${ownError && step.error ? renderHarnessError(step.error.code, step.error.message) : ''}
${step.skipReason ? html`<p class="skip-reason">Skipped: ${step.skipReason}</p>` : ''}
<dl class="facts">
${process ? renderProcessFacts(process) : ''}
${step.stdin !== undefined ? html`<dt>stdin</dt><dd><pre class="output-text stdin" tabindex="0">${outputHtml(step.stdin)}</pre></dd>` : ''}
${step.notes.length > 0 ? html`<dt>notes</dt><dd><ul class="notes">${step.notes.map((note) => html`<li>${note}</li>`)}</ul></dd>` : ''}
${step.world ? html`<dt>network</dt><dd><ul class="notes">${worldLines(step.world).map((line) => html`<li>${line}</li>`)}</ul></dd>` : ''}
</dl>
${process ? html`${renderOutput(process, 'stdout')}${renderOutput(process, 'stderr')}` : ''}
${step.details ? renderDetails(step.details) : ''}
${step.expectations.length > 0 ? renderExpectations(step.expectations) : ''}
</li>`;
}

/** A fault of the harness, told apart from a failed expectation: it is not the program's fault. */
export function renderHarnessError(code: string, message: string): SafeHtml {
  return html`<div class="harness-error" role="note"><strong>Harness error — not the program's fault.</strong>
<code>${code}</code>: ${message}</div>`;
}

function renderProcessFacts(process: ProcessResult): SafeHtml {
  const ending = [
    `exit code ${process.exitCode ?? '—'}`,
    `signal ${process.signal ?? '—'}`,
    `timed out: ${process.timedOut ? 'yes' : 'no'}`,
    ...(process.stillRunning ? ['still running when stopped'] : []),
    ...(process.killed ? ['stopped by the harness'] : []),
  ].join(' · ');
  return html`<dt>command</dt><dd><code class="command">${formatCommand(process.command)}</code></dd>
${process.invocation ? html`<dt>started as</dt><dd>${describeInvocation(process.invocation)}</dd>` : ''}
<dt>cwd</dt><dd><code>${process.cwd}</code></dd>
${process.namespace || process.sandboxed ? html`<dt>ran in</dt><dd>${[process.namespace ? `network namespace ${process.namespace}` : '', process.sandboxed ? `the filesystem sandbox (bubblewrap)${process.uid !== undefined ? ` as user ${process.uid}` : ''}` : ''].filter(Boolean).join(', ')}</dd>` : ''}
<dt>ended</dt><dd><strong>${describeExit(process)}</strong> <span class="muted">(${ending}; pid ${process.pid ?? '—'}; ${formatDuration(process.durationMs)})</span></dd>
${process.spawnError ? html`<dt>not started</dt><dd><code>${process.spawnError.code}</code>: ${process.spawnError.message}</dd>` : ''}
${process.error && !process.spawnError ? html`<dt>network error</dt><dd><code>${process.error.code}</code> recognised in: <code>${process.error.message}</code></dd>` : ''}`;
}

function renderOutput(process: ProcessResult, stream: 'stdout' | 'stderr'): SafeHtml {
  const text = process[stream];
  const truncated = stream === 'stdout' ? process.stdoutTruncated : process.stderrTruncated;
  // The count of all bytes written; never less than what was kept.
  const bytes = Math.max(stream === 'stdout' ? process.stdoutBytes : process.stderrBytes, Buffer.byteLength(text));
  if (text === '' && !truncated) {
    return html`<div class="output"><span class="stream">${stream}</span> <span class="muted">(empty)</span></div>`;
  }
  const lineCount = text === '' ? 0 : text.replace(/\r?\n$/, '').split('\n').length;
  const facts = `${plural(lineCount, 'line')}, ${plural(bytes, 'byte')}${truncated ? ', truncated' : ''}`;
  const notes = [
    truncated ? html`<p class="truncated">⚠ ${stream} truncated by the harness: the program wrote ${plural(bytes, 'byte')}, only the start is shown.</p>` : '',
    stream === 'stdout' && process.stdoutBase64 !== undefined
      ? html`<p class="muted">stdout is not valid UTF-8; invalid bytes show as �. results.json has the exact bytes.</p>`
      : '',
  ];
  const pre = html`<pre class="output-text" tabindex="0">${outputHtml(text)}</pre>`;
  if (lineCount > maxOpenOutputLines || truncated) {
    return html`<details class="output"><summary><span class="stream">${stream}</span> <span class="muted">${facts}</span></summary>${notes}${pre}</details>`;
  }
  return html`<div class="output"><span class="stream">${stream}</span> <span class="muted">${facts}</span>${notes}${pre}</div>`;
}

export function renderExpectations(expectations: ExpectationResult[], caption = 'Expectations'): SafeHtml {
  return html`<div class="table-scroll"><table class="expectations">
<caption>${caption}</caption>
<thead><tr><th scope="col">ok</th><th scope="col">name</th><th scope="col">expected</th><th scope="col">actual</th></tr></thead>
<tbody>${expectations.map(renderExpectation)}</tbody>
</table></div>`;
}

function renderExpectation(expectation: ExpectationResult): SafeHtml {
  const where = expectation.location ? html`<br><span class="muted">${expectation.location.file}:${expectation.location.line}</span>` : '';
  const row = html`<tr class="${expectation.ok ? 'ok' : 'not-ok'}">
<td>${expectation.ok ? html`<span class="mark-ok">✓ ok</span>` : html`<span class="mark-fail">✗ failed</span>`}</td>
<td><code>${expectation.name}</code>${where}</td>
<td><pre class="value">${outputHtml(expectation.expected)}</pre></td>
<td><pre class="value">${outputHtml(expectation.actual)}</pre></td>
</tr>`;
  if (expectation.ok) return row;
  return html`${row}<tr class="not-ok detail"><td></td><td colspan="3">
${expectation.message ? html`<p class="message">${expectation.message}</p>` : ''}
${renderDiff(expectation.expected, expectation.actual)}
</td></tr>`;
}

function renderDiff(expected: string, actual: string): SafeHtml {
  const lines = diffLines(expected, actual);
  const prefix = { same: ' ', removed: '-', added: '+' } as const;
  const rendered = lines.map((line) => html`<span class="diff-${line.kind}">${prefix[line.kind]} ${outputHtml(line.text)}</span>`);
  return html`<figure class="diff"><figcaption><span class="diff-removed">- expected</span> <span class="diff-added">+ actual</span></figcaption>
<pre tabindex="0">${rendered}</pre></figure>`;
}
