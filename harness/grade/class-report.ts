// The class overview (class.html): who passed what, each student's total with a link to their own
// report, and the experiments most students failed — where the teaching should go next.
// Self-contained like the per-student report; every name and title is escaped.
import { createHash } from 'node:crypto';
import { html, trustedHtml } from '../report/html/safe-html.js';
import { mostFailed, type Gradebook } from './gradebook.js';

const style = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}
.wrap{max-width:1200px;margin:0 auto;padding:16px}
h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;font-size:.85rem}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:center}
th.exp{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:600;max-height:14em}
td.name{text-align:left;white-space:nowrap}.scroll{overflow-x:auto}
.passed{background:#dafbe1;color:#116329}.failed,.interrupted{background:#ffebe9;color:#82071e}
.error{background:#fff8c5;color:#7d4e00}.skipped{color:#57606a}
ol li{margin:.2rem 0}.muted{color:#57606a}
`;
const mark: Record<string, string> = { passed: '✓', failed: '✗', error: '!', skipped: '–', interrupted: '✗' };

export function renderClassReport(book: Gradebook, title: string): string {
  const csp = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`;
  const failedMost = mostFailed(book);
  const average = book.students.length ? book.students.reduce((sum, student) => sum + student.total, 0) / book.students.length : 0;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${trustedHtml(style)}</style></head>
<body><div class="wrap">
<h1>${title}</h1>
<p>${book.students.length} students · ${book.experiments.length} experiments · average ${average.toFixed(2)} of ${book.students[0]?.max ?? 0} points</p>
<h2>Most failed experiments</h2>
${failedMost.length ? html`<ol>${failedMost.map((experiment) => html`<li><strong>${experiment.id}</strong> — ${experiment.title}: failed by ${experiment.failed} of ${book.students.length}</li>`)}</ol>` : html`<p class="muted">Every student passed every experiment.</p>`}
<h2>Students</h2>
<div class="scroll"><table>
<thead><tr><th>student</th><th>total</th>${book.experiments.map((experiment) => html`<th class="exp" title="${experiment.title}">${experiment.id}</th>`)}</tr></thead>
<tbody>
${book.students.map(
  (student) => html`<tr><td class="name"><a href="${`${encodeURIComponent(student.student)}/index.html`}">${student.student}</a>${student.missing.length ? html` <span class="muted">(missing: ${student.missing.join(', ')})</span>` : ''}${student.harnessErrors ? html` <span class="error">harness errors: ${student.harnessErrors}</span>` : ''}</td>
<td>${student.total} / ${student.max}</td>
${book.experiments.map((experiment) => {
  const status = student.statuses[experiment.id] ?? 'skipped';
  return html`<td class="${status}" title="${`${experiment.id}: ${status}`}">${mark[status] ?? '?'}</td>`;
})}</tr>`,
)}
</tbody></table></div>
<p class="muted">✓ passed · ✗ failed · ! harness error (not the student's fault; retried once) · – not run</p>
</div></body></html>
`.value;
}
