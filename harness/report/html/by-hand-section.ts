// "Do it by hand": the experiment's commands laid out in its terminals (a server terminal, a client
// terminal, …), numbered in the order the steps ran, each with a copy button that the page's script
// shows. The commands are the real argv with the ports and hosts of this run, stdin as `printf '…' |`.
import type { ExperimentResult } from '../../model/result.js';
import { handSteps, type Terminal, type TerminalEntry } from '../hand/hand-steps.js';
import { html, type SafeHtml } from './safe-html.js';

export function renderByHand(experiment: ExperimentResult): SafeHtml {
  const { terminals, order } = handSteps(experiment);
  if (terminals.length === 0) return html``;
  const between = order.filter((item) => item.terminal === undefined);
  const names = terminals.map((terminal) => `${terminal.number} (${terminal.host}: ${terminal.title})`).join(', ');
  return html`<section class="by-hand"><h3>Do it by hand</h3>
<p class="muted">Open ${terminals.length === 1 ? 'a terminal' : `${terminals.length} terminals`}: ${names}. Type each command in its terminal, in the order of the step numbers.${
    experiment.topology === 'two-hosts' ? ' Its addresses existed only inside socklab\'s network world: on two machines, use the server machine\'s address instead.' : ''
  }</p>
<div class="hand-terminals">${terminals.map(renderTerminal)}</div>
${between.length > 0 ? html`<p class="muted">Between them: ${between.map((item) => html`step ${item.step}: ${item.entry.note ?? ''}. `)}</p>` : ''}
</section>`;
}

function renderTerminal(terminal: Terminal): SafeHtml {
  return html`<div class="hand-terminal"><h4>Terminal ${terminal.number} <span class="muted">${terminal.host}: ${terminal.title}</span></h4>
<ol class="hand-steps">${terminal.entries.map(renderEntry)}</ol></div>`;
}

function renderEntry(entry: TerminalEntry): SafeHtml {
  const command = entry.command
    ? html`<div class="hand-command"><code class="command">${entry.command}</code><button type="button" class="copy" hidden>Copy</button></div>`
    : '';
  const words = [entry.equivalent, entry.note].filter((text): text is string => Boolean(text));
  return html`<li value="${entry.step}"><span class="hand-step">step ${entry.step}</span>${command}${words.length ? html`<p class="muted">${words.join(' — ')}</p>` : ''}</li>`;
}
