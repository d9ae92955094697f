// The console reporter. On a terminal it keeps one status line, rewritten in place, showing what is
// running and how far the run is, with finished experiments scrolling above it. Anywhere else (CI
// logs, pipes, --plain) it writes plain lines only: no escape codes and no colors, because logs keep
// them as garbage and CI scripts grep the summary line. FORCE_COLOR asks for colors there too (CI
// logs that render them); the status line stays a terminal's only.
import type { ExperimentResult, ExperimentStatus, RunCounts, RunResult } from '../model/result.js';
import { randomBytes } from 'node:crypto';
import { formatFailureDetails, printable, type Color, type Paint } from './console-failures.js';
import type { ExperimentBeginInfo, Reporter, ReporterOptions, RunBeginInfo } from '../model/reporter.js';
import { deploymentLabel, formatDuration, notObservableOf, plural, programLines } from './result-text.js';

const colorCodes: Record<Color, number> = { green: 32, red: 31, yellow: 33, dim: 2 };
const clearLine = '\r\x1b[2K';

const statusMarks: Record<ExperimentStatus, { mark: string; color: Color }> = {
  passed: { mark: '✓', color: 'green' },
  failed: { mark: '✗', color: 'red' },
  error: { mark: '!', color: 'yellow' },
  skipped: { mark: '-', color: 'dim' },
  interrupted: { mark: '-', color: 'dim' },
};

/**
 * Whether to color, by the usual conventions: FORCE_COLOR set and not empty wins (force-color.org),
 * on even without a terminal, except `0` or `false`, which turn colors off (node's and chalk's
 * reading); otherwise NO_COLOR set and not empty turns them off (no-color.org); otherwise colors
 * go only to a terminal.
 */
export function wantsColors(env: NodeJS.ProcessEnv, terminal: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !['0', 'false'].includes(force.trim().toLowerCase());
  if (env.NO_COLOR) return false;
  return terminal;
}

/**
 * `12 passed, 0 failed`, then `, N errors`, `, N skipped`, `, N interrupted` only when non-zero.
 * The first two are always there because CI scripts match on them.
 */
export function formatSummary(counts: RunCounts): string {
  const parts = [`${counts.passed} passed`, `${counts.failed} failed`];
  if (counts.error > 0) parts.push(plural(counts.error, 'error'));
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  if (counts.interrupted > 0) parts.push(`${counts.interrupted} interrupted`);
  return parts.join(', ');
}

export class ConsoleReporter implements Reporter {
  readonly name = 'console';
  private readonly stream: NonNullable<ReporterOptions['stream']>;
  /** Rewrites the status line in place; only on a real terminal, and never when asked for plain output. */
  private readonly live: boolean;
  private readonly paint: Paint;
  private readonly running = new Map<string, string>();
  /** Experiments already printed, so onRunEnd can print the ones that never reached onExperimentEnd. */
  private readonly printed = new Set<string>();
  private total = 0;
  private statusShown = false;

  /** `env` is a parameter so tests can set NO_COLOR and FORCE_COLOR without touching the process. */
  constructor(options: ReporterOptions, env: NodeJS.ProcessEnv = process.env) {
    this.stream = options.stream ?? process.stdout;
    this.live = Boolean(this.stream.isTTY) && !options.plain;
    // Plain output asked for in code means no escape codes at all, whatever the environment says.
    const colors = !options.plain && wantsColors(env, Boolean(this.stream.isTTY));
    this.paint = (color, text) => (colors ? `\x1b[${colorCodes[color]}m${text}\x1b[0m` : text);
  }

  onRunBegin(info: RunBeginInfo): void {
    this.total = info.experiments.length;
    this.print([`socklab: ${plural(this.total, 'experiment')} against ${info.subject}, ${info.jobs} at a time`]);
  }

  onExperimentBegin(info: ExperimentBeginInfo): void {
    this.running.set(info.id, info.title);
    this.print([]);
  }

  onExperimentEnd(result: ExperimentResult): void {
    this.running.delete(result.id);
    this.printed.add(result.id);
    this.print([this.experimentLine(result), ...this.passedHints(result)]);
  }

  onRunEnd(result: RunResult): void {
    // An interrupted run can end with experiments still "running"; they are reported, not shown as live.
    this.running.clear();
    const unprinted = result.experiments.filter((experiment) => !this.printed.has(experiment.id));
    const lines = unprinted.flatMap((experiment) => [this.experimentLine(experiment), ...this.passedHints(experiment)]);
    // Which program played each role and why: the first thing to check when a submission fails.
    if (result.submission) lines.push('', 'programs:', ...programLines(result.submission).map((line) => `  ${printable(line)}`));
    const summaryColor: Color = result.counts.failed + result.counts.error > 0 ? 'red' : 'green';
    lines.push('', this.paint(summaryColor, formatSummary(result.counts)));
    lines.push(`score ${result.score}/${result.maxScore}`, `duration ${formatDuration(result.durationMs)}`);
    const broken = result.experiments.filter((e) => e.status === 'failed' || e.status === 'error');
    // In GitHub Actions every line of output is read for workflow commands: what the programs printed
    // (quoted in the failure details) must never become one. GitHub's own switch turns them off, and back on.
    const token = process.env.GITHUB_ACTIONS === 'true' && broken.length ? `socklab-${randomBytes(8).toString('hex')}` : null;
    if (token) lines.push(`::stop-commands::${token}`);
    broken.forEach((experiment, index) => lines.push('', ...formatFailureDetails(experiment, index + 1, this.paint)));
    if (token) lines.push(`::${token}::`);
    this.print(lines);
  }

  /** A passed experiment's hints (what socklab worked around, notes); a failed one's come with its details. */
  private passedHints(result: ExperimentResult): string[] {
    if (result.status === 'failed' || result.status === 'error') return [];
    return (result.feedback ?? []).map((feedback) => this.paint('yellow', `      hint: ${printable(feedback.message)}`));
  }

  private experimentLine(result: ExperimentResult): string {
    const { mark, color } = statusMarks[result.status];
    // How it was deployed is part of the evidence; and checks it could not make are said, never hidden.
    const unseen = notObservableOf(result).length;
    const facts = [
      ...(result.status === 'skipped' ? [] : [formatDuration(result.durationMs)]),
      ...(result.deployment ? [deploymentLabel(result.deployment)] : []),
      ...(unseen ? [`${plural(unseen, 'check')} not observable with --remote`] : []),
    ];
    const timing = facts.length ? ` (${facts.join('; ')})` : '';
    const interrupted = result.status === 'interrupted' ? ' interrupted' : '';
    return `  ${this.paint(color, mark)} ${result.id}  ${printable(result.title)}${this.paint('dim', timing + interrupted)}`;
  }

  /** Writes lines above the status line: erase it, write, then draw it again with current progress. */
  private print(lines: string[]): void {
    let output = this.live && this.statusShown ? clearLine : '';
    this.statusShown = false;
    output += lines.map((line) => line + '\n').join('');
    if (this.live && this.running.size > 0) {
      output += this.statusLine();
      this.statusShown = true;
    }
    if (output !== '') this.stream.write(output);
  }

  /** `[3/9] running: tcp-echo, udp-ping`, cut to the terminal width so it never wraps (wrapping breaks `\r`). */
  private statusLine(): string {
    const finished = this.printed.size;
    const text = `[${finished}/${this.total}] running: ${[...this.running.keys()].join(', ')}`;
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    return this.paint('dim', text.length > width ? text.slice(0, width - 1) + '…' : text);
  }
}
