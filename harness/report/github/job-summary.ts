// The job summary (GitHub-flavored Markdown appended to $GITHUB_STEP_SUMMARY), shown on the workflow
// run's page: the score, the counts, one table row per experiment, and for each failure what a student
// reads in Gradescope (gradescope/test-output.ts: the command, the input, expected against actual, the
// end of stderr, the hints). Program output only ever appears inside fenced code blocks or escaped
// (gradescope/markdown.ts), so it cannot become a table cell, a link, an image or HTML. Hidden
// experiments are left out, as Gradescope leaves them out of what students see.
import type { ExperimentResult, ExperimentStatus, RunResult } from '../../model/result.js';
import { roundPoints } from '../../model/scoring.js';
import { escapeMarkdown } from '../gradescope/markdown.js';
import { testOutput } from '../gradescope/test-output.js';
import { formatDuration, plural, programLines, skipReasonOf } from '../result-text.js';
import { maxErrorAnnotations, relativeTo, type AnnotationContext } from './annotations.js';

/**
 * Failure details stop after this many characters, with a note; the table always comes whole. GitHub
 * refuses a step's summary over 1 MiB, and a page of a hundred stack traces helps nobody.
 */
export const maxDetailChars = 100_000;

const statusCell: Record<ExperimentStatus, string> = {
  passed: '✅',
  failed: '❌',
  error: '⚠️',
  skipped: '⏭️',
  interrupted: '⏸️',
};

/** Markdown for one run, ending in a line break. `leftOut`: failures GitHub's limit kept from being annotated. */
export function renderJobSummary(run: RunResult, context: AnnotationContext, leftOut: readonly ExperimentResult[]): string {
  const visible = run.experiments.filter((experiment) => !experiment.hidden);
  const blocks = [heading(run), countsLine(run, visible), ...programsLines(run)];
  if (run.status === 'interrupted') blocks.push('**Interrupted**: the run stopped before every experiment finished; those that did not are not graded.');
  blocks.push(table(visible, context));
  const hidden = run.experiments.length - visible.length;
  if (hidden > 0) blocks.push(`*${plural(hidden, 'hidden experiment')} ${hidden === 1 ? 'is' : 'are'} not listed; those that ran count toward the score.*`);
  if (leftOut.length > 0) {
    blocks.push(`**Not annotated:** GitHub shows at most ${maxErrorAnnotations} error annotations per step, so these failures are only here: ${leftOut.map((experiment) => escapeMarkdown(experiment.id)).join(', ')}.`);
  }
  blocks.push(...failureDetails(visible, context));
  return `${blocks.join('\n\n')}\n`;
}

function heading(run: RunResult): string {
  const who = run.submission ? ` ${escapeMarkdown(run.submission.student)},` : '';
  return `## socklab:${who} ${roundPoints(run.score)} of ${plural(roundPoints(run.maxScore), 'point')}`;
}

function countsLine(run: RunResult, visible: ExperimentResult[]): string {
  const count = (...statuses: ExperimentStatus[]) => visible.filter((experiment) => statuses.includes(experiment.status)).length;
  const parts = [`${count('passed')} passed`, `${count('failed')} failed`];
  if (count('error') > 0) parts.push(`${count('error')} not graded (a fault of the grading machine)`);
  if (count('interrupted') > 0) parts.push(`${count('interrupted')} interrupted`);
  if (count('skipped') > 0) parts.push(`${count('skipped')} skipped (they count for neither the score nor the maximum)`);
  return `${parts.join(', ')}; ${formatDuration(run.durationMs)}, socklab ${run.tool.version}.`;
}

/** Which file plays each role, and which roles have none: the first thing to check when everything failed. */
function programsLines(run: RunResult): string[] {
  if (!run.submission) return [];
  const lines: string[] = [];
  const programs = programLines(run.submission);
  if (programs.length) lines.push(`Programs found: ${escapeMarkdown(programs.join(', '))}.`);
  if (run.submission.missing.length) lines.push(`**No program found for:** ${escapeMarkdown(run.submission.missing.join(', '))}. Their experiments fail.`);
  return lines;
}

function table(experiments: ExperimentResult[], context: AnnotationContext): string {
  const rows = experiments.map((experiment) => {
    const cells = [
      statusCell[experiment.status],
      escapeMarkdown(`${experiment.id}: ${experiment.title}`),
      escapeMarkdown(statusText(experiment)),
      experiment.status === 'skipped' ? '–' : `${roundPoints(experiment.score)} / ${roundPoints(experiment.points)}`,
      escapeMarkdown(`${relativeTo(context.workspace, experiment.location.file)}:${experiment.location.line}`),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return ['| | Experiment | Status | Points | Spec |', '|:-:|:--|:--|--:|:--|', ...rows].join('\n');
}

function statusText(experiment: ExperimentResult): string {
  switch (experiment.status) {
    case 'error':
      return 'not graded (harness error)';
    case 'interrupted':
      return 'interrupted (not graded)';
    case 'skipped':
      return `skipped: ${skipReasonOf(experiment) ?? 'no reason given'}`;
    default:
      return experiment.status;
  }
}

/** A section per failed or errored experiment, while they fit in `maxDetailChars`. */
function failureDetails(experiments: ExperimentResult[], context: AnnotationContext): string[] {
  const failures = experiments.filter((experiment) => experiment.status === 'failed' || experiment.status === 'error');
  const sections: string[] = [];
  let length = 0;
  for (const [index, experiment] of failures.entries()) {
    const where = escapeMarkdown(`${relativeTo(context.workspace, experiment.location.file)}:${experiment.location.line}`);
    const section = `### ${statusCell[experiment.status]} ${escapeMarkdown(`${experiment.id}: ${experiment.title}`)}\n\nSpec: ${where}\n\n${testOutput(experiment)}`;
    if (length + section.length > maxDetailChars) {
      const rest = failures.length - index;
      sections.push(`*The details of ${plural(rest, 'more failure')} are left out to keep this summary short; index.html and results.json in the report folder have them.*`);
      break;
    }
    sections.push(section);
    length += section.length;
  }
  return sections;
}
