// `run: ROLE` — runs a program to completion (or to its timeout) and checks what it did.
import { Type, type Static } from '@sinclair/typebox';
import { Duration } from '../schema/parts.js';
import { ProcessExpectation } from '../expect/expectation-schemas.js';
import { launchFields, launchRequest } from './shared/launch-fields.js';
import { formatDuration } from '../schema/duration.js';
import { evaluateProcess } from '../expect/process-expectations.js';
import { finishProgram } from './shared/program-outcome.js';
import { stepTimeoutMs } from './shared/step-timeout.js';
import { notObservableOutcome } from './shared/not-observable.js';
import { argumentRefusal } from './shared/usage-error.js';
import type { StepContext, StepKind } from './step-kind.js';
import type { LaunchedProgram } from '../process/launched-program.js';

export const DEFAULT_RUN_TIMEOUT_MS = 10_000;

const RunStepSchema = Type.Object(
  {
    run: Type.String({ pattern: '^[a-z][a-z0-9-]*$', expected: 'a role name such as tcp-client' }),
    ...launchFields,
    timeout: Type.Optional(Duration),
    expect: Type.Optional(ProcessExpectation),
  },
  { additionalProperties: false, expected: 'a run step: run, args, stdin, env, timeout, expect' },
);
type RunStep = Static<typeof RunStepSchema>;

export const runStep: StepKind<RunStep> = {
  key: 'run',
  schema: RunStepSchema,
  summary: 'Run a program to completion (or its timeout) and check its exit, output and errors.',
  label: (step) => step.title ?? ['run', step.run, ...(step.args ?? []).map(String)].join(' '),
  role: (step) => step.run,
  launches: (step) => launchRequest(step.run, step),
  async execute(step, context) {
    const timeoutMs = stepTimeoutMs(step.timeout, DEFAULT_RUN_TIMEOUT_MS, context);
    const request = launchRequest(step.run, step);
    let program = await context.launch(request);
    if (program.unobservable) {
      const expect = step.expect ?? {};
      const implicit = ['exit', 'error', 'silent', 'timedOut'].some((key) => key in expect) ? [] : ['exit (implicit)'];
      return notObservableOutcome(step.expect, implicit, program.unobservable, `socklab cannot run ${step.run}`);
    }
    let { exit, stillness, startedAt } = await settle(program, timeoutMs, context);
    // A program that refuses its arguments runs again the next way programs take them, when its source did not say which.
    while (exit) {
      await program.stop(); // its output, complete
      const refusal = argumentRefusal(program);
      if (!refusal || !context.nextConvention(step.run, refusal)) break;
      program = await context.launch(request);
      ({ exit, stillness, startedAt } = await settle(program, timeoutMs, context));
    }
    if (!exit) program.timedOut = !context.signal.aborted;
    const process = await finishProgram(program, { stillRunning: !exit });
    if (stillness) process.stuck = { afterMs: Math.round(performance.now() - startedAt), waits: stillness.waits };
    const expectations = evaluateProcess(step.expect ?? {}, process, { ignoredOutput: context.ignoredOutput(step.run), timeoutMs });
    const notes = stillness
      ? [`stopped after ${formatDuration(process.stuck!.afterMs)} instead of waiting out its ${formatDuration(timeoutMs)} timeout: it and every other program waited for input that nothing was going to send (${stillness.waits.join(', ')})`]
      : process.timedOut
        ? [`stopped after ${formatDuration(timeoutMs)} (timeout)`]
        : [];
    const ended = process.endedAtEndOfInput;
    if (ended) notes.push(`ended at end of input: ${ended.exception}${ended.at ? ` at ${ended.at}` : ''} once its input ran out, as when a person presses Ctrl-D at its prompt; its output is what counts`);
    return { process, expectations, notes };
  },
};

/**
 * The program ends, or its timeout passes, or it and every service wait for input that nothing will
 * send before the timeout (decided: it is stopped as the timeout would have stopped it).
 */
async function settle(program: LaunchedProgram, timeoutMs: number, context: StepContext) {
  const startedAt = performance.now();
  const settled = new AbortController();
  const until = AbortSignal.any([context.signal, settled.signal]);
  const never = new Promise<never>(() => undefined);
  const outcome = await Promise.race([
    program.waitForExit(timeoutMs, until).then((exit) => ({ exit, stillness: undefined })),
    context.untilStill(program, startedAt + timeoutMs, until).then((stillness) => (stillness && !program.exitInfo ? { exit: null, stillness } : never)),
  ]);
  settled.abort();
  return { ...outcome, startedAt };
}
