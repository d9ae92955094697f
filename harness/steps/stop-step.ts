// `stop: NAME` — stops a started service (its whole process group) and checks what it printed.
// Stopping is the harness's doing, so no exit code is implied; write `expect.exit` to check one.
import { Type, type Static } from '@sinclair/typebox';
import { ProcessExpectation } from '../expect/expectation-schemas.js';
import { evaluateProcess } from '../expect/process-expectations.js';
import { finishProgram } from './shared/program-outcome.js';
import { notObservableOutcome } from './shared/not-observable.js';
import type { StepKind } from './step-kind.js';

const StopStepSchema = Type.Object(
  {
    stop: Type.String({ pattern: '^[a-z][a-z0-9-]*$', expected: 'the name of a started service' }),
    title: Type.Optional(Type.String()),
    expect: Type.Optional(ProcessExpectation),
  },
  { additionalProperties: false, expected: 'a stop step: stop, expect' },
);
type StopStep = Static<typeof StopStepSchema>;

export const stopStep: StepKind<StopStep> = {
  key: 'stop',
  schema: StopStepSchema,
  summary: 'Stop a started service and check its output over its whole life.',
  label: (step) => step.title ?? `stop ${step.stop}`,
  references: (step) => step.stop,
  async execute(step, context) {
    const service = context.services.get(step.stop);
    if (!service) return { expectations: [], error: { code: 'NO_SUCH_SERVICE', message: `no service named "${step.stop}" is running` } };
    context.services.delete(step.stop);
    if (service.program.unobservable) {
      return { ...notObservableOutcome(step.expect, [], service.program.unobservable, `socklab leaves ${service.name} running, as it found it`), process: service.program.result({ stillRunning: true }) };
    }
    const stillRunning = service.program.running;
    const process = await finishProgram(service.program, { stillRunning });
    const expectations = evaluateProcess(step.expect ?? {}, process, {
      ignoredOutput: context.ignoredOutput(service.role),
      timeoutMs: 0,
      implicitExit: false,
    });
    return { process, expectations, notes: stillRunning ? [] : ['the service had already exited'] };
  },
};
