// The one-line `message` attribute of a JUnit <failure> or <error>. CI tools show it on its own: a
// GitHub annotation's title, Jenkins' test list, GitLab's test report. So it says what was expected
// and what happened, and where, in one line short enough to read there; the element's text has the rest.
import type { ExperimentResult, ExpectationResult, StepResult } from '../model/result.js';
import { failuresOutsideSteps, harnessErrorOf, plural, stepProblems, stepTitle } from './result-text.js';

/** Longest message: annotation titles and test lists cut longer ones anyway, mid-word. */
export const maxMessageLength = 300;
/** Longest expected or actual value inside it, so that a long output leaves room for the other. */
const maxValueLength = 100;
/** Longest step title inside it (a step's label holds its whole command line). */
const maxStepLength = 80;

/**
 * `stdout.contains: expected "HELLO", got "hello" (step 2: run tcp-client 127.0.0.1 40123)`: the
 * first failed check, with its step, and how many more failed.
 */
export function failureMessage(experiment: ExperimentResult): string {
  const inSteps = stepProblems(experiment).flatMap(({ step, failedExpectations }) => failedExpectations.map((expectation) => ({ expectation, step })));
  const outside = failuresOutsideSteps(experiment).map((expectation): { expectation: ExpectationResult; step?: StepResult } => ({ expectation }));
  const failed = [...inSteps, ...outside];
  const first = failed[0];
  if (!first) return 'failed';
  const context = [first.step ? shorten(stepTitle(first.step), maxStepLength) : '', failed.length > 1 ? plural(failed.length - 1, 'more failed check') : '']
    .filter(Boolean)
    .join('; ');
  return shorten(`${first.expectation.name}: ${comparison(first.expectation)}${context ? ` (${context})` : ''}`, maxMessageLength);
}

/** The harness fault's message: its first line (a stack trace stays in the element's text). */
export function errorMessage(experiment: ExperimentResult): { message: string; type: string } {
  const error = harnessErrorOf(experiment) ?? { code: 'ERROR', message: 'harness error' };
  return { message: shorten(error.message.split('\n')[0]!.trim() || error.code, maxMessageLength), type: error.code };
}

function comparison(expectation: ExpectationResult): string {
  if (expectation.expected === '' && expectation.actual === '') return oneLine(expectation.message) || 'failed';
  return `expected ${shorten(oneLine(expectation.expected), maxValueLength)}, got ${shorten(oneLine(expectation.actual), maxValueLength)}`;
}

/** Line breaks and tabs written as `\n` and `\t`, the way the quoted renderings of output already show them. */
function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\\n').replace(/\t/g, '\\t');
}

/**
 * Cut to `max` characters (code points, so an emoji is never split) with `…`; a quoted value keeps
 * its closing quote, so it still reads as the start of a quoted text.
 */
export function shorten(text: string, max: number): string {
  const characters = Array.from(text);
  if (characters.length <= max) return text;
  const quoted = characters.length > 2 && text.startsWith('"') && text.endsWith('"');
  return quoted ? `${characters.slice(0, max - 2).join('')}…"` : `${characters.slice(0, max - 1).join('')}…`;
}
