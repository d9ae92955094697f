// The one registry of step kinds: the key a step is written with → its implementation.
// A new kind is one file plus one line here; its schema joins spec.schema.json automatically.
import { Type } from '@sinclair/typebox';
import type { StepKind } from './step-kind.js';
import { commonStepFields } from './shared/common-fields.js';
import { runStep } from './run-step.js';
import { startStep } from './start-step.js';
import { stopStep } from './stop-step.js';
import { waitStep } from './wait-step.js';
import { sleepStep } from './sleep-step.js';
import { httpStep } from './http-step.js';
import { rawStep } from './raw-step.js';
import { originStep } from './origin-step.js';
import { smtpSinkStep } from './smtp-sink-step.js';
import { browserStep } from './browser-step.js';
import { relayStep } from './relay-step.js';

const kinds = [runStep, startStep, stopStep, waitStep, sleepStep, httpStep, rawStep, originStep, smtpSinkStep, browserStep, relayStep] as unknown as StepKind[];

/** Each kind's schema with the fields every step may have (`when:`), so a kind never has to list them. */
function withCommonFields(kind: StepKind): StepKind {
  const { properties, ...options } = kind.schema;
  return { ...kind, schema: Type.Object({ ...properties, ...commonStepFields }, options) };
}

export const stepKinds: ReadonlyMap<string, StepKind> = new Map(kinds.map((kind) => [kind.key, withCommonFields(kind)]));
