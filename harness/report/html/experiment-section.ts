// Experiments grouped by their first tag (task1, task2, …), each a collapsible <details> that starts
// open when it failed or hit a harness error, since those are what a reader came for.
import type { ExperimentResult, StepResult } from '../../model/result.js';
import { failuresOutsideSteps, formatCommand, formatDuration, isOwnStepError, skipReasonOf } from '../result-text.js';
import { renderByHand } from './by-hand-section.js';
import { renderCapture } from './capture-section.js';
import { readableTime } from './format.js';
import { renderMarkdown } from './markdown.js';
import { html, idFragment, type SafeHtml } from './safe-html.js';
import { statusBadge } from './status.js';
import { renderExpectations, renderHarnessError, renderStep } from './step-section.js';

const untagged = 'untagged';

export function renderGroups(experiments: ExperimentResult[]): SafeHtml {
  const groups = new Map<string, ExperimentResult[]>();
  for (const experiment of experiments) {
    const tag = experiment.tags[0] ?? untagged;
    const group = groups.get(tag) ?? [];
    if (group.length === 0) groups.set(tag, group);
    group.push(experiment);
  }
  const ids = new UniqueIds();
  return html`${[...groups].map(([tag, members]) => {
    const headingId = ids.make(`group-${tag}`);
    const passed = members.filter((e) => e.status === 'passed').length;
    const score = members.reduce((sum, e) => sum + e.score, 0);
    const points = members.reduce((sum, e) => sum + e.points, 0);
    return html`<section class="group" aria-labelledby="${headingId}">
<h2 id="${headingId}">${tag} <span class="group-stats">${passed} of ${members.length} passed · ${score}/${points} points</span></h2>
${members.map((experiment) => renderExperiment(experiment, ids.make(`exp-${experiment.id}`)))}
</section>`;
  })}`;
}

function renderExperiment(experiment: ExperimentResult, elementId: string): SafeHtml {
  const open = experiment.status === 'failed' || experiment.status === 'error';
  const searchText = [experiment.id, experiment.title, ...experiment.tags].join(' ').toLowerCase();
  const harnessError = experiment.error;
  const skipReason = skipReasonOf(experiment);
  const outsideSteps = failuresOutsideSteps(experiment, { exceptCapture: true });
  return html`<details class="experiment status-${experiment.status}" id="${elementId}" data-status="${experiment.status}" data-search="${searchText}"${open ? html` open` : ''}>
<summary><span class="summary-line">${statusBadge(experiment.status)}
<span class="experiment-id">${experiment.id}</span>
<span class="experiment-title">${experiment.title}</span>
<span class="experiment-numbers"><span class="duration">${formatDuration(experiment.durationMs)}</span>
<span class="points">${experiment.score}/${experiment.points} ${experiment.points === 1 ? 'point' : 'points'}</span></span></span></summary>
<div class="experiment-body">
<p class="muted meta">${experiment.location.file}:${experiment.location.line} · started ${readableTime(experiment.startedAt)} · took ${formatDuration(experiment.durationMs)}${
    experiment.tags.length > 0 ? html` · tags ${experiment.tags.map((tag) => html`<span class="tag">${tag}</span> `)}` : ''
  }</p>
${harnessError ? renderHarnessError(harnessError.code, harnessError.message) : ''}
${experiment.status === 'skipped' || experiment.status === 'interrupted' ? html`<p class="skip-reason">${experiment.status === 'skipped' ? 'Skipped' : 'Interrupted'}${skipReason ? html`: ${skipReason}` : ''}</p>` : ''}
${experiment.feedback?.length ? html`<section class="feedback"><h3>Hints</h3><ul>${experiment.feedback.map((item) => html`<li>${item.message}</li>`)}</ul></section>` : ''}
${experiment.explain ? html`<section class="explain"><h3>What this checks</h3>${renderMarkdown(experiment.explain)}</section>` : ''}
${renderSetup(experiment)}
${experiment.steps.length > 0 ? html`<h3>Steps</h3><ol class="steps">${experiment.steps.map((step) => renderStep(step, isOwnStepError(step, experiment)))}</ol>` : ''}
${outsideSteps.length > 0 ? renderExpectations(outsideSteps, 'Experiment-level checks') : ''}
${experiment.steps.length > 0 ? renderTimings(experiment.steps, experiment.durationMs) : ''}
${experiment.capture ? renderCapture(experiment.capture) : ''}
${renderByHand(experiment)}
</div>
</details>`;
}

/** Which programs played the roles, and the ports and hosts the templates were filled with. */
function renderSetup(experiment: ExperimentResult): SafeHtml {
  const roles = Object.entries(experiment.roles);
  const hosts = Object.entries(experiment.hosts);
  const ports = Object.entries(experiment.ports);
  if (roles.length === 0 && hosts.length === 0 && ports.length === 0) return html``;
  const assignments = (entries: Array<[string, string | number]>) => entries.map(([name, value]) => html`<code>${name}=${value}</code> `);
  return html`<dl class="facts setup">
${roles.map(([role, command]) => html`<dt>${role}</dt><dd><code class="command">${formatCommand(command)}</code></dd>`)}
${hosts.length > 0 ? html`<dt>hosts</dt><dd>${assignments(hosts)}</dd>` : ''}
${ports.length > 0 ? html`<dt>ports</dt><dd>${assignments(ports)}</dd>` : ''}
</dl>`;
}

/** When each step started and how long it took, drawn to scale against the experiment's duration. */
function renderTimings(steps: StepResult[], experimentMs: number): SafeHtml {
  const span = Math.max(experimentMs, ...steps.map((step) => step.startedAtMs + step.durationMs), 1);
  const barWidth = 240;
  return html`<details class="timings"><summary>Timings</summary><div class="table-scroll"><table>
<thead><tr><th scope="col">step</th><th scope="col" class="num">start</th><th scope="col" class="num">duration</th><th scope="col"><span class="visually-hidden">timeline</span></th></tr></thead>
<tbody>${steps.map((step) => {
    const x = (step.startedAtMs / span) * barWidth;
    const width = Math.max(1, (step.durationMs / span) * barWidth);
    return html`<tr><td>${step.index + 1}. ${step.label}</td><td class="num">+${formatDuration(step.startedAtMs)}</td><td class="num">${formatDuration(step.durationMs)}</td>
<td><svg class="timing-bar" width="${barWidth}" height="12" viewBox="0 0 ${barWidth} 12" aria-hidden="true"><rect class="track" x="0" y="3" width="${barWidth}" height="6" rx="3"/><rect class="bar status-${step.status}" x="${x.toFixed(1)}" y="1" width="${width.toFixed(1)}" height="10" rx="2"/></svg></td></tr>`;
  })}</tbody>
</table></div></details>`;
}

/** Element ids from untrusted text: reduced to safe characters, and made unique with a counter. */
class UniqueIds {
  private readonly used = new Set<string>();

  make(base: string): string {
    const clean = idFragment(base);
    let id = clean;
    for (let n = 2; this.used.has(id); n += 1) id = `${clean}-${n}`;
    this.used.add(id);
    return id;
  }
}
