// `sleep: DURATION` — a plain pause (prefer a readiness condition; this is for teaching timelines).
import { Type, type Static } from '@sinclair/typebox';
import { Duration } from '../schema/parts.js';
import { parseDuration } from '../schema/duration.js';
import type { StepKind } from './step-kind.js';

const SleepStepSchema = Type.Object(
  { sleep: Duration, title: Type.Optional(Type.String()) },
  { additionalProperties: false, expected: 'a sleep step: sleep: 200ms' },
);
type SleepStep = Static<typeof SleepStepSchema>;

export const sleepStep: StepKind<SleepStep> = {
  key: 'sleep',
  schema: SleepStepSchema,
  summary: 'Pause for a while.',
  label: (step) => step.title ?? `sleep ${step.sleep}`,
  async execute(step, context) {
    const ms = Math.min(parseDuration(step.sleep) ?? 0, context.remainingMs());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      context.signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        context.signal.removeEventListener('abort', done);
        resolve();
      }
    });
    return { expectations: [] };
  },
};
