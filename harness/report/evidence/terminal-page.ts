// The terminal transcript of one experiment: each terminal as a dark window (servers on the left,
// clients beside them, like the handout's two terminals), with the prompt, each command as typed,
// what was typed on its stdin, and everything the program printed. Lines in ⟨…⟩ are socklab's notes
// (how a program ended), and `── step N ──` marks the order across terminals; neither is program output.
import type { ExperimentResult, ProcessResult } from '../../model/result.js';
import { handSteps, type Terminal, type TerminalEntry, type TerminalHost } from '../hand/hand-steps.js';
import { formatCommand, formatDuration } from '../result-text.js';
import { html, outputHtml, type SafeHtml } from '../html/safe-html.js';
import { evidenceDocument } from './evidence-document.js';

export interface TranscriptOptions {
  /** Prompts each role prints before reading stdin (the lab file's `ignoreOutput`): typed input is shown after them. */
  prompts?: Record<string, RegExp[]>;
  /** `socklab 0.1.0, run of 2025-03-01 10:00 UTC`: said in the footer. */
  madeBy: string;
}

const HOSTS: TerminalHost[] = ['server', 'client', 'internet'];
/** The handout's prompt: the folder is shown as ~/lab whatever folder the program ran in (the footer names it). */
const FOLDER = '~/lab';

export function renderTerminalPage(experiment: ExperimentResult, options: TranscriptOptions): string {
  const { terminals } = handSteps(experiment);
  const columns = HOSTS.map((host) => terminals.filter((terminal) => terminal.host === host)).filter((column) => column.length > 0);
  const folders = [...new Set(terminals.flatMap((terminal) => terminal.entries.flatMap((entry) => (entry.process ? [entry.process.cwd] : []))))];
  const body = html`<header><h1>${experiment.id}: ${experiment.title}</h1>
<p class="sub">Terminal transcript · <span class="status-${experiment.status}">${experiment.status}</span> · ${terminals.length === 1 ? 'one terminal' : `${terminals.length} terminals`}${experiment.topology === 'two-hosts' ? ' on two hosts (network namespaces)' : ' on one machine'}</p></header>
${
  terminals.length > 0
    ? html`<div class="terminal-grid columns-${columns.length}">${columns.map(
        (column) => html`<div class="terminal-column">${column.map((terminal) => renderTerminal(terminal, options))}</div>`,
      )}</div>`
    : html`<p class="missing">This experiment ran no program.</p>`
}
<footer>Reconstructed by ${options.madeBy} from what the programs did: each command as it ran, what was typed on its stdin (in bold blue), and everything it printed (stdout, then stderr in red: socklab records them apart).
The prompt shows the folder as ${FOLDER}${folders.length > 0 ? html`; the programs ran in <code>${folders.join(', ')}</code>` : ''}. ⟨…⟩ lines and step marks are socklab's notes, not output.</footer>`;
  return evidenceDocument(`${experiment.id}: terminals`, body);
}

function renderTerminal(terminal: Terminal, options: TranscriptOptions): SafeHtml {
  const host = terminal.host === 'internet' ? 'internet' : terminal.host;
  const last = terminal.entries.at(-1);
  const ended = last?.process ? !last.process.stillRunning && !last.process.timedOut : last !== undefined;
  const prompt = html`<span class="prompt-user">student@${host}</span>:<span class="prompt-path">${FOLDER}</span>$ `;
  return html`<section class="terminal" aria-label="Terminal ${terminal.number}">
<div class="titlebar"><span class="dot close"></span><span class="dot"></span><span class="dot"></span><span class="title">Terminal ${terminal.number} — student@${host}: ${FOLDER} — ${terminal.title}</span></div>
<pre class="screen">${terminal.entries.filter((entry) => entry.command || entry.process).map((entry) => renderEntry(entry, prompt, terminal.role, options))}${ended ? prompt : ''}</pre>
</section>`;
}

function renderEntry(entry: TerminalEntry, prompt: SafeHtml, role: string | undefined, options: TranscriptOptions): SafeHtml {
  const mark = html`<span class="step-mark">── step ${entry.step} · +${formatDuration(entry.startedAtMs)} ──</span>\n`;
  if (!entry.process) {
    return html`${mark}${entry.equivalent ? html`<span class="comment"># ${entry.equivalent}</span>\n` : ''}${prompt}<span class="typed">${entry.command ?? ''}</span>\n${entry.shown ? html`${outputHtml(entry.shown)}${entry.shown.endsWith('\n') ? '' : '\n'}` : ''}`;
  }
  const process = entry.process;
  const typed = entry.stdin !== undefined && entry.stdin !== '' ? entry.stdin : undefined;
  const promptText = typed ? programPrompt(process.stdout, role ? options.prompts?.[role] : undefined) : undefined;
  const stdout = promptText === undefined ? process.stdout : process.stdout.slice(promptText.length);
  return html`${mark}${prompt}<span class="typed">${formatCommand(entry.argv ?? process.command)}</span>
${promptText !== undefined ? outputHtml(promptText) : ''}${typed ? html`<span class="stdin">${outputHtml(typed.endsWith('\n') ? typed : `${typed}\n`)}</span>` : ''}${printed(stdout, '')}${printed(process.stderr, 'stderr')}${notes(process, entry)}`;
}

/** The prompt the program printed before reading its input, when it is one the lab file knows. */
function programPrompt(stdout: string, prompts: RegExp[] | undefined): string | undefined {
  for (const prompt of prompts ?? []) {
    const match = new RegExp(`^(?:${prompt.source})`, prompt.flags.replace('g', '')).exec(stdout);
    if (match && match[0].length > 0) return match[0];
  }
  return undefined;
}

function printed(text: string, className: string): SafeHtml | '' {
  if (text === '') return '';
  const shown = text.endsWith('\n') ? text : `${text}\n`;
  return className ? html`<span class="${className}">${outputHtml(shown)}</span>` : outputHtml(shown);
}

function notes(process: ProcessResult, entry: TerminalEntry): SafeHtml {
  const lines = [
    ...(process.stdoutTruncated || process.stderrTruncated ? ['output truncated by socklab'] : []),
    ...(entry.ending ? [entry.ending] : []),
  ];
  return html`${lines.map((line) => html`<span class="note">⟨${line}⟩</span>\n`)}`;
}
