// `wait: NAME` — waits for a started service to exit by itself (e.g. a server that handles one
// request), then checks its exit and output. Exit 0 is expected unless `expect` says otherwise.
import { Type, type Static } from '@sinclair/typebox';
import { Duration } from '../schema/parts.js';
import { ProcessExpectation } from '../expect/expectation-schemas.js';
import { formatDuration } from '../schema/duration.js';
import { evaluateProcess } from '../expect/process-expectations.js';
import { finishProgram } from './shared/program-outcome.js';
import { stepTimeoutMs } from './shared/step-timeout.js';
import { notObservableOutcome } from './shared/not-observable.js';
import type { StepKind } from './step-kind.js';

const DEFAULT_WAIT_TIMEOUT_MS = 10_000;

const WaitStepSchema = Type.Object(
  {
    wait: Type.String({ pattern: '^[a-z][a-z0-9-]*$', expected: 'the name of a started service' }),
    title: Type.Optional(Type.String()),
    timeout: Type.Optional(Duration),
    expect: Type.Optional(ProcessExpectation),
  },
  { additionalProperties: false, expected: 'a wait step: wait, timeout, expect' },
);
type WaitStep = Static<typeof WaitStepSchema>;

export const waitStep: StepKind<WaitStep> = {
  key: 'wait',
  schema: WaitStepSchema,
  summary: 'Wait for a started service to exit by itself, then check its exit and output.',
  label: (step) => step.title ?? `wait for ${step.wait} to exit`,
  references: (step) => step.wait,
  async execute(step, context) {
    const service = context.services.get(step.wait);
    if (!service) return { expectations: [], error: { code: 'NO_SUCH_SERVICE', message: `no service named "${step.wait}" is running` } };
    context.services.delete(step.wait);
    if (service.program.unobservable) {
      const expect = step.expect ?? {};
      const implicit = ['exit', 'error', 'silent', 'timedOut'].some((key) => key in expect) ? [] : ['exit (implicit)'];
      return { ...notObservableOutcome(step.expect, implicit, service.program.unobservable, `socklab cannot wait for ${service.name} to exit`), process: service.program.result({ stillRunning: true }) };
    }
    const timeoutMs = stepTimeoutMs(step.timeout, DEFAULT_WAIT_TIMEOUT_MS, context);
    const exit = await service.program.waitForExit(timeoutMs, context.signal);
    if (!exit) service.program.timedOut = !context.signal.aborted;
    const process = await finishProgram(service.program, { stillRunning: !exit });
    const expectations = evaluateProcess(step.expect ?? {}, process, { ignoredOutput: context.ignoredOutput(service.role), timeoutMs });
    return { process, expectations, notes: exit ? [] : [`still running after ${formatDuration(timeoutMs)}: stopped`] };
  },
};
