// What a student reads under one Gradescope test (Markdown): the verdict and points, the hints, and for
// each step that went wrong the command it ran, the input it was sent, expected against actual as a
// unified diff, and the last lines of what the program wrote to stderr; then the spec's explanation.
// Each piece is cut to a few lines, and the whole to `maxTestOutputChars`.
import type { ExperimentResult, ExpectationResult, StepResult } from '../../model/result.js';
import { roundPoints } from '../../model/scoring.js';
import { describeExit, describeInvocation, detailLines, failuresOutsideSteps, formatCommand, harnessErrorOf, isOwnStepError, plural, skipReasonOf, stepProblems, stepTitle } from '../result-text.js';
import { codeBlock, escapeMarkdown } from './markdown.js';
import { unifiedDiff } from './unified-diff.js';

/** A test's output is cut to this many characters: enough for a few failed checks, short enough to read, far below Gradescope's limits. */
export const maxTestOutputChars = 10_000;
/** The end of a program's stderr shown under a failed step: enough for a stack trace's last frames and its message. */
export const stderrTailLines = 10;
const maxInputLines = 20;
const maxDiffLines = 40;
const diffContext = 3;

/** Markdown blocks, joined with blank lines. */
type Blocks = string[];

export function testOutput(experiment: ExperimentResult): string {
  const blocks: Blocks = [verdict(experiment)];
  for (const feedback of experiment.feedback ?? []) blocks.push(`**Hint:** ${escapeMarkdown(feedback.message)}`);
  if (experiment.status === 'failed' || experiment.status === 'error' || experiment.status === 'interrupted') {
    const problems = stepProblems(experiment);
    for (const { step, failedExpectations } of problems) blocks.push(...stepBlocks(step, failedExpectations, experiment));
    for (const failure of failuresOutsideSteps(experiment)) blocks.push(...expectationBlocks(failure));
    blocks.push(...otherStderr(experiment, new Set(problems.map(({ step }) => step))));
    if (experiment.explain) blocks.push(`**About this experiment**\n\n${experiment.explain.trim()}`);
  }
  return capBlocks(blocks, maxTestOutputChars);
}

function verdict(experiment: ExperimentResult): string {
  const points =
    experiment.points === 0
      ? 'no points (it goes beyond the handout; reported for your information)'
      : `${roundPoints(experiment.score)} of ${roundPoints(experiment.points)} point${experiment.points === 1 ? '' : 's'}`;
  switch (experiment.status) {
    case 'passed':
      return `**✓ Passed**: ${points}. Every check held.`;
    case 'failed':
      return `**✗ Failed**: ${points}${experiment.score > 0 ? ' (partial credit for the checks that held)' : ''}.`;
    case 'error': {
      const fault = harnessErrorOf(experiment);
      const detail = fault ? ` (${escapeMarkdown(`${fault.code}: ${fault.message}`)})` : '';
      return `**⚠ Not graded**: a fault of the grading machine, not of your program${detail}. It counts ${points}; please tell your instructor.`;
    }
    case 'interrupted':
      return `**⚠ Interrupted**: grading stopped before this experiment finished. It counts ${points}; please tell your instructor.`;
    case 'skipped':
      return `**Skipped**: ${escapeMarkdown(skipReasonOf(experiment) ?? 'no reason given')}. It did not run on this grading machine, so it counts for neither your score nor the maximum.`;
  }
}

/** One problem step: what ran, what it was sent, each failed check, and the end of its stderr. */
function stepBlocks(step: StepResult, failed: ExpectationResult[], experiment: ExperimentResult): Blocks {
  const blocks: Blocks = [];
  const ended = step.process ? `: ${escapeMarkdown(describeExit(step.process))}` : '';
  blocks.push(`**${escapeMarkdown(capitalized(stepTitle(step)))}**${ended}`);
  if (step.process) blocks.push(`Command:\n\n${codeBlock(formatCommand(step.process.command), { maxLines: 1 })}`);
  if (step.process?.invocation) blocks.push(`Started as: ${escapeMarkdown(describeInvocation(step.process.invocation))}.`);
  if (step.stdin) blocks.push(`Input sent (stdin):\n\n${codeBlock(step.stdin, { maxLines: maxInputLines })}`);
  if (step.details) blocks.push(`Exchange:\n\n${codeBlock(detailLines(step.details).join('\n'), { maxLines: maxInputLines })}`);
  for (const expectation of failed) blocks.push(...expectationBlocks(expectation, step));
  if (isOwnStepError(step, experiment)) blocks.push(`⚠ ${escapeMarkdown(`${step.error.code}: ${step.error.message}`)}`);
  if (step.process?.stderr.trim()) blocks.push(stderrBlock(step, 'stderr'));
  return blocks;
}

/** A failed check: its message, then expected against actual as a unified diff. */
function expectationBlocks(expectation: ExpectationResult, step?: StepResult): Blocks {
  const message = expectation.message || `${expectation.name} failed`;
  const diff = unifiedDiff(valueText(expectation.expected), actualText(expectation, step), { context: diffContext, maxLines: maxDiffLines });
  return [`✗ ${escapeMarkdown(message)} (\`${expectation.name}\`)`, codeBlock(diff.join('\n'), { maxLines: maxDiffLines + 50, info: 'diff' })];
}

/** Expectations render text values as JSON strings (`"HELLO\n"`); the diff compares the text itself. */
function valueText(rendering: string): string {
  if (!/^".*"$/s.test(rendering)) return rendering;
  try {
    const value: unknown = JSON.parse(rendering);
    return typeof value === 'string' ? value : rendering;
  } catch {
    return rendering;
  }
}

/** The actual value as text; an output check whose rendering was shortened to its head and tail diffs against the whole stream. */
function actualText(expectation: ExpectationResult, step?: StepResult): string {
  const text = valueText(expectation.actual);
  if (text !== expectation.actual || !step?.process) return text;
  const stream = /^(stdout|stderr|output)\./.exec(expectation.name)?.[1];
  if (stream === 'stdout' || stream === 'stderr') return step.process[stream].replace(/\r\n/g, '\n');
  if (stream === 'output') return `${step.process.stdout}${step.process.stderr}`.replace(/\r\n/g, '\n');
  return text;
}

function stderrBlock(step: StepResult, label: string): string {
  const stderr = step.process?.stderr ?? '';
  const total = stderr.replace(/\r?\n$/, '').split(/\r?\n/).length;
  const which = total > stderrTailLines ? `last ${stderrTailLines} of ${total} lines` : plural(total, 'line');
  return `${label} (${which}):\n\n${codeBlock(stderr, { maxLines: stderrTailLines, keep: 'tail' })}`;
}

/** The stderr of programs whose step held up but who may explain the failure (a server that crashed under a client's request). */
function otherStderr(experiment: ExperimentResult, shown: Set<StepResult>): Blocks {
  return experiment.steps
    .filter((step) => !shown.has(step) && step.process?.stderr.trim())
    .map((step) => stderrBlock(step, `stderr of ${escapeMarkdown(stepTitle(step))}`));
}

/** `Step 2: run …` starts a paragraph of its own. */
function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Blocks in order while they fit, then one line that says what was cut. */
function capBlocks(blocks: Blocks, limit: number): string {
  const note = (count: number) => `*… ${plural(count, 'more section')} cut: the output of one test is kept under ${limit.toLocaleString('en')} characters. Your instructor has the full report.*`;
  const kept: string[] = [];
  let length = 0;
  for (const [index, block] of blocks.entries()) {
    const reserve = index < blocks.length - 1 ? note(blocks.length).length + 2 : 0;
    if (length + block.length + 2 + reserve > limit) {
      kept.push(note(blocks.length - index));
      break;
    }
    kept.push(block);
    length += block.length + 2;
  }
  return kept.join('\n\n');
}
