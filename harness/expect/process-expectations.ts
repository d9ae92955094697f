// Checks one program's ProcessResult against a step's `expect:` block.
// Implicit rules, documented in the README: without exit/error/silent/timedOut, a run must exit 0;
// `error:` implies a non-zero exit unless `exit:` says otherwise; a timeout is a failure unless expected.
import type { ExpectationResult, ProcessResult } from '../model/result.js';
import type { ProcessExpectation } from './expectation-schemas.js';
import { formatDuration, parseDuration } from '../schema/duration.js';
import { matchText, preview } from './text-matcher.js';
import { describeNetworkError } from './network-errors.js';
import { verdict as check } from './verdict.js';

export interface EvaluationOptions {
  /** Prompt patterns that do not count as output for `silent`. */
  ignoredOutput: RegExp[];
  timeoutMs: number;
  /** Whether an unstated exit code must be 0 (true for `run`; false for a service stopped by the harness). */
  implicitExit?: boolean;
}

export function evaluateProcess(expect: ProcessExpectation, result: ProcessResult, options: EvaluationOptions): ExpectationResult[] {
  if (result.spawnError) {
    return [{ name: 'start', ok: false, expected: 'the program starts', actual: result.spawnError.message, message: result.spawnError.message }];
  }
  const checks: ExpectationResult[] = [];
  const expectsTimeout = expect.silent === true || expect.timedOut === true;
  if (expect.timedOut !== undefined || (!expectsTimeout && result.timedOut && options.implicitExit !== false)) {
    const wanted = expect.timedOut ?? false;
    checks.push(check('timedOut', result.timedOut === wanted, wanted ? `still running after ${formatDuration(options.timeoutMs)}` : `finishes within ${formatDuration(options.timeoutMs)}`, result.timedOut ? stillRunningText(result, options) : `ended after ${formatDuration(result.durationMs)}`, { kind: 'flag', expected: wanted, actual: result.timedOut }));
  }
  if (expect.silent !== undefined) checks.push(checkSilent(expect.silent, result, options));
  if (expect.error !== undefined) {
    const found = result.error?.code;
    const ok = found === expect.error && !result.timedOut;
    const actual = found ? `${found} (${result.error?.message})` : result.timedOut ? 'no error: the program was still waiting' : 'no network error in the output';
    checks.push(check('error', ok, `${expect.error}: ${describeNetworkError(expect.error)}`, actual, { kind: 'error-code', expected: expect.error, actual: found ?? null }));
  }
  // `destination: told` judges whether the program got through itself (destination-expectations.ts).
  const implicitDefault = options.implicitExit === false || expect.destination !== undefined ? undefined : 0;
  const exitExpectation = expect.exit ?? (expect.error !== undefined ? 'nonzero' : expectsTimeout ? undefined : implicitDefault);
  // An unexpected timeout is already reported above; an implicit exit check would only repeat it.
  const implicitExit = expect.exit === undefined;
  if (exitExpectation !== undefined && !(implicitExit && result.timedOut)) checks.push(checkExit(exitExpectation, result, implicitExit));
  if (expect.running !== undefined) {
    const how = result.exitCode !== null ? `exit code ${result.exitCode}` : `signal ${result.signal}`;
    checks.push(check('running', result.stillRunning === expect.running, expect.running ? 'still running' : 'already exited', result.stillRunning ? 'still running' : `had exited on its own (${how})`, { kind: 'flag', expected: expect.running, actual: result.stillRunning }));
  }
  if (expect.stdout) checks.push(...matchText('stdout', expect.stdout, result.stdout));
  if (expect.stderr) checks.push(...matchText('stderr', expect.stderr, result.stderr));
  if (expect.output) checks.push(...matchText('output', expect.output, `${result.stdout}${result.stderr}`));
  if (expect.within !== undefined) {
    const limit = parseDuration(expect.within) ?? 0;
    checks.push(check('within', result.durationMs <= limit && !result.timedOut, `within ${formatDuration(limit)}`, result.timedOut ? stillRunningText(result, options) : `took ${formatDuration(result.durationMs)}`, { kind: 'duration', limitMs: limit, actualMs: result.durationMs }));
  }
  return checks;
}

/** A program stopped at its timeout, or before it because nothing could happen any more (ProcessResult.stuck). */
function stillRunningText(result: ProcessResult, options: EvaluationOptions): string {
  if (!result.stuck) return `still running after ${formatDuration(options.timeoutMs)}, stopped`;
  return `waiting for input that nothing was going to send, stopped after ${formatDuration(result.stuck.afterMs)} (it could not have finished within ${formatDuration(options.timeoutMs)})`;
}

function checkSilent(wanted: boolean, result: ProcessResult, options: EvaluationOptions): ExpectationResult {
  let printed = result.stdout;
  for (const pattern of options.ignoredOutput) printed = printed.replace(pattern, '');
  const isSilent = result.timedOut && printed.trim() === '';
  const actual = !result.timedOut
    ? `ended after ${formatDuration(result.durationMs)} (exit ${result.exitCode ?? result.signal})${result.stdout ? `, printed ${preview(result.stdout, 200)}` : ''}`
    : printed.trim() === ''
      ? `${stillRunningText(result, options)}, nothing printed`
      : `still running, but printed ${preview(printed, 200)}`;
  return check('silent', isSilent === wanted, wanted ? `still waiting with no reply after ${formatDuration(options.timeoutMs)}` : 'not silent', actual, { kind: 'flag', expected: wanted, actual: isSilent });
}

function checkExit(wanted: number | number[] | 'nonzero', result: ProcessResult, implicit: boolean): ExpectationResult {
  // An interactive program stopped by the end of its input (EOFError at input()) ended as a person ends it, with Ctrl-D.
  const ended = result.endedAtEndOfInput;
  const code = ended && wanted !== 'nonzero' ? 0 : result.exitCode;
  const ok = wanted === 'nonzero' ? code !== null && code !== 0 : Array.isArray(wanted) ? code !== null && wanted.includes(code) : code === wanted;
  const expected = wanted === 'nonzero' ? 'a non-zero exit code' : Array.isArray(wanted) ? `exit code one of ${wanted.join(', ')}` : `exit code ${wanted}`;
  const actual = ended
    ? `ended at end of input (${ended.exception}${ended.at ? ` at ${ended.at}` : ''}, exit code ${result.exitCode ?? result.signal})`
    : code !== null
      ? `exit code ${code}`
      : result.timedOut
        ? `still running, killed (${result.signal ?? 'SIGKILL'})`
        : `killed by ${result.signal}`;
  return { ...check('exit', ok, expected, actual, { kind: 'exit', expected: wanted, actual: result.exitCode }), name: implicit ? 'exit (implicit)' : 'exit' };
}
