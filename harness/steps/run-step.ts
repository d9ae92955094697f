// `run: ROLE` — runs a program to completion (or to its timeout) and checks what it did.
import { Type, type Static } from '@sinclair/typebox';
import { Duration } from '../schema/parts.js';
import { ProcessExpectation } from '../expect/expectation-schemas.js';
import { launchFields } from './shared/launch-fields.js';
import { formatDuration } from '../schema/duration.js';
import { evaluateProcess } from '../expect/process-expectations.js';
import { finishProgram } from './shared/program-outcome.js';
import { stepTimeoutMs } from './shared/step-timeout.js';
import { notObservableOutcome } from './shared/not-observable.js';
import type { StepKind } from './step-kind.js';

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
  async execute(step, context) {
    const timeoutMs = stepTimeoutMs(step.timeout, DEFAULT_RUN_TIMEOUT_MS, context);
    const program = await context.launch({ role: step.run, args: (step.args ?? []).map(String), stdin: step.stdin, env: step.env });
    if (program.unobservable) {
      const expect = step.expect ?? {};
      const implicit = ['exit', 'error', 'silent', 'timedOut'].some((key) => key in expect) ? [] : ['exit (implicit)'];
      return notObservableOutcome(step.expect, implicit, program.unobservable, `socklab cannot run ${step.run}`);
    }
    const exit = await program.waitForExit(timeoutMs, context.signal);
    if (!exit) program.timedOut = !context.signal.aborted;
    const process = await finishProgram(program, { stillRunning: !exit });
    const expectations = evaluateProcess(step.expect ?? {}, process, { ignoredOutput: context.ignoredOutput(step.run), timeoutMs });
    const notes = process.timedOut ? [`stopped after ${formatDuration(timeoutMs)} (timeout)`] : [];
    return { process, expectations, notes };
  },
};
