// The console's detail block for a failed or errored experiment: everything a student needs to act
// on a failure without opening junit.xml — where the experiment is, which check failed with expected
// and actual values, the exact command to rerun, and the end of what the program printed.
import type { ExperimentResult, ExpectationResult, StepResult } from '../model/result.js';
import {
  describeExit,
  describeInvocation,
  detailLines,
  failuresOutsideSteps,
  worldLines,
  formatCommand,
  isOwnStepError,
  labelledValue,
  plural,
  stepProblems,
  stepTitle,
  tailLines,
} from './result-text.js';

export type Color = 'green' | 'red' | 'yellow' | 'dim';
/** Wraps text in a color, or returns it unchanged when colors are off. */
export type Paint = (color: Color, text: string) => string;

/** Program output lines shown per stream; enough for a stack trace, short enough to scan. */
export const outputTailLines = 20;

/**
 * Program output and values quoted from it may hold terminal control codes (a student's colored
 * prompt, a stray NUL). Shown raw they would garble the terminal or break the "no escape codes"
 * promise of plain mode, so they are rendered visibly as `\xNN`.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Lines of the detail block, numbered `ordinal)` like mocha's failure list; no trailing newline. */
export function formatFailureDetails(experiment: ExperimentResult, ordinal: number, paint: Paint): string[] {
  const color: Color = experiment.status === 'error' ? 'yellow' : 'red';
  const { file, line } = experiment.location;
  const lines = [
    paint(color, `${ordinal}) ${experiment.id}  ${printable(experiment.title)}`),
    paint('dim', `   ${file}:${line}`),
  ];
  if (experiment.error) {
    lines.push(paint('yellow', `   error ${experiment.error.code}: ${printable(experiment.error.message)}`));
  }
  for (const { step, failedExpectations } of stepProblems(experiment)) {
    lines.push(`   ${printable(stepTitle(step))}`);
    for (const expectation of failedExpectations) lines.push(...expectationLines(expectation, paint));
    if (isOwnStepError(step, experiment)) {
      lines.push(paint('yellow', `     error ${step.error.code}: ${printable(step.error.message)}`));
    }
    if (step.details) lines.push(...detailLines(step.details).map((line) => paint('dim', `     ${printable(line)}`)));
    if (step.world) lines.push(...worldLines(step.world).map((line) => paint('dim', `     ${printable(line)}`)));
    if (step.status === 'failed') lines.push(...step.notes.flatMap((note) => note.split('\n')).map((line) => paint('dim', `     ${printable(line)}`)));
    lines.push(...processLines(step, paint));
  }
  for (const expectation of failuresOutsideSteps(experiment)) lines.push(...expectationLines(expectation, paint));
  for (const feedback of experiment.feedback ?? []) lines.push(paint('yellow', `   hint: ${printable(feedback.message)}`));
  return lines;
}

function expectationLines(expectation: ExpectationResult, paint: Paint): string[] {
  const where = expectation.location ? paint('dim', `  (${expectation.location.file}:${expectation.location.line})`) : '';
  const message = expectation.message ? `: ${printable(expectation.message)}` : '';
  return [
    `     ${paint('red', expectation.name)}${message}${where}`,
    ...labelledValue('expected:', printable(expectation.expected), '       ').map((l) => paint('green', l)),
    ...labelledValue('actual:  ', printable(expectation.actual), '       ').map((l) => paint('red', l)),
  ];
}

/** The command to rerun the step, how it ended, and the tail of each output stream. */
function processLines(step: StepResult, paint: Paint): string[] {
  const process = step.process;
  if (!process) return [];
  const lines = [
    `     command: ${printable(formatCommand(process.command))}`,
    ...(process.invocation ? [paint('dim', `     started as: ${printable(describeInvocation(process.invocation))}`)] : []),
    paint('dim', `     ended: ${describeExit(process)}`),
  ];
  for (const stream of ['stdout', 'stderr'] as const) {
    const { lines: tail, omitted } = tailLines(process[stream], outputTailLines);
    if (tail.length === 0) {
      lines.push(paint('dim', `     ${stream}: (empty)`));
      continue;
    }
    const shown = omitted > 0 ? `last ${tail.length} of ${tail.length + omitted} lines` : plural(tail.length, 'line');
    lines.push(paint('dim', `     ${stream} (${shown}):`));
    lines.push(...tail.map((line) => `       ${printable(line)}`));
  }
  return lines;
}
