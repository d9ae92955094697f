// The class overview (class.html): each student's total over the tasks that count, the main cause of
// the points they lost with a link into their own report, who passed what task by task, what was not
// handed in, and the experiments most students failed: where the teaching should go next.
// Self-contained like the per-student report; every name, title and cause is escaped.
import { createHash } from 'node:crypto';
import { html, idFragment, trustedHtml, type SafeHtml } from '../report/html/safe-html.js';
import { classReportStyle as style } from './class-report-style.js';
import { handedIn, mostFailed, NOT_HANDED_IN, type Gradebook, type GradebookTask, type StudentGrade } from './gradebook.js';

const mark: Record<string, string> = { passed: '✓', failed: '✗', error: '!', skipped: '–', interrupted: '✗' };

/** Anchors of the per-student report (report/html/experiment-section.ts names its sections so). */
const experimentAnchor = (id: string) => idFragment(`exp-${id}`);
const taskAnchor = (task: string) => idFragment(`group-${task}`);
const keyAnchor = (id: string) => idFragment(`key-${id}`);

export function renderClassReport(book: Gradebook, title: string): string {
  const csp = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`;
  const failedMost = mostFailed(book);
  const scored = book.students.filter((student) => student.max > 0);
  const average = scored.length ? (100 * scored.reduce((sum, student) => sum + student.total / student.max, 0)) / scored.length : 0;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${trustedHtml(style)}</style></head>
<body><div class="wrap">
<h1>${title}</h1>
<p>${book.students.length} students · ${book.experiments.length} experiments in ${book.tasks.map((task) => task.task).join(', ')} · average ${average.toFixed(0)}% of the points that count</p>
<h2>Students</h2>
<div class="scroll"><table>
<thead><tr><th class="name" rowspan="2" scope="col">student</th><th rowspan="2" scope="col">total</th><th rowspan="2" scope="col">why</th>${book.tasks.map((task) => html`<th class="task task-start" scope="colgroup" colspan="${task.experiments.length}">${task.task}</th>`)}</tr>
<tr>${book.tasks.map((task) => task.experiments.map((experiment, index) => html`<th class="exp${index === 0 ? ' task-start' : ''}" scope="col" title="${`${experiment.id}: ${experiment.title}`}"><a href="#${keyAnchor(experiment.id)}">${index + 1}</a></th>`))}</tr></thead>
<tbody>
${book.students.map((student) => studentRow(book, student))}
</tbody></table></div>
<p class="muted">✓ passed · ✗ failed · ! harness error (not the student's fault; retried once) · – not run.${
    anyNotHandedIn(book)
      ? html` <em>${NOT_HANDED_IN}</em>: the submission has no program for any role of that task; the task is left out of the total, unless it is Task 1 or the student handed in none of the other tasks graded (then it counts 0, in red).`
      : ''
  }</p>
<h2>Most failed experiments</h2>
${failedMost.length ? html`<ol>${failedMost.map((experiment) => html`<li><a href="#${keyAnchor(experiment.id)}"><strong>${experiment.id}</strong></a> — ${experiment.title}: failed by ${experiment.failed} of ${experiment.of}</li>`)}</ol>` : html`<p class="muted">Every student passed every experiment they handed in.</p>`}
${notHandedInSection(book)}
<h2>Experiments</h2>
${book.tasks.map(experimentKey)}
</div></body></html>
`.value;
}

function studentRow(book: Gradebook, student: StudentGrade): SafeHtml {
  // Roles missing from a task that was handed in; a task not handed in says so in its own cells.
  const missing = student.missing.filter((role) => Object.values(student.tasks).some((task) => task.handedIn && task.roles.includes(role)));
  const differs = student.total !== student.runTotal || student.max !== student.runMax;
  return html`<tr><th class="name" scope="row"><a href="${student.page}">${student.student}</a>${missing.length ? html`<span class="note">missing: ${missing.join(', ')}</span>` : ''}${
    student.harnessErrors ? html`<span class="note error">harness errors: ${student.harnessErrors}</span>` : ''
  }</th>
<td class="total"${differs ? html` title="${`their own report: ${student.runTotal} / ${student.runMax}, every experiment that ran`}"` : ''}>${student.total} / ${student.max}</td>
<td class="why">${student.why ? html`<a href="${`${student.page}#${student.why.task ? taskAnchor(student.why.task) : experimentAnchor(student.why.experimentId ?? '')}`}" title="${`${student.why.lost} ${student.why.lost === 1 ? 'point' : 'points'} lost`}">${student.why.text}</a>` : ''}</td>
${book.tasks.map((task) => taskCells(task, student))}</tr>`;
}

function taskCells(task: GradebookTask, student: StudentGrade): SafeHtml {
  const [first] = task.experiments;
  if (first && !handedIn(student, first)) {
    const counted = student.tasks[task.task]?.assessed ?? false;
    return html`<td class="not-handed-in task-start${counted ? ' counted' : ''}" colspan="${task.experiments.length}" title="${`${task.task}: ${NOT_HANDED_IN}${counted ? ', counts 0' : ', left out of the total'}`}">${NOT_HANDED_IN}${counted ? ' (0)' : ''}</td>`;
  }
  return html`${task.experiments.map((experiment, index) => {
    const status = student.statuses[experiment.id] ?? 'skipped';
    return html`<td class="mark ${status}${index === 0 ? ' task-start' : ''}" title="${`${experiment.id}: ${status}`}">${mark[status] ?? '?'}</td>`;
  })}`;
}

function anyNotHandedIn(book: Gradebook): boolean {
  return book.students.some((student) => Object.values(student.tasks).some((task) => !task.handedIn));
}

function notHandedInSection(book: Gradebook): SafeHtml | '' {
  const rows = book.tasks
    .map((task) => ({ task, students: book.students.filter((student) => student.tasks[task.task] && !student.tasks[task.task].handedIn) }))
    .filter((row) => row.students.length > 0);
  if (rows.length === 0) return '';
  return html`<h2>Not handed in</h2><ul>${rows.map(
    ({ task, students }) =>
      html`<li><strong>${task.task}</strong>: ${students.length} of ${book.students.length} students (${students.map((student, index) => html`${index ? ', ' : ''}<a href="${student.page}">${student.student}</a>`)})</li>`,
  )}</ul>`;
}

function experimentKey(task: GradebookTask): SafeHtml {
  return html`<h3>${task.task}${task.mandatory ? ' (mandatory)' : ''}</h3><ol>${task.experiments.map(
    (experiment) => html`<li id="${keyAnchor(experiment.id)}"><code>${experiment.id}</code> — ${experiment.title} (${experiment.points} ${experiment.points === 1 ? 'point' : 'points'})</li>`,
  )}</ol>`;
}
