// The experiment schema. Steps are checked in a second pass by their own kind's schema (see
// steps/registry.ts), so that an error inside a step is reported against that kind, not a union of all.
import { Type, type Static } from '@sinclair/typebox';
import { Duration } from '../schema/parts.js';
import { CaptureOption } from '../capture/capture-option.js';
import { LimitsOption } from '../process/resource-limits.js';

export const ID_PATTERN = '^[a-z0-9][a-z0-9._-]*$';

export const ExperimentSchema = Type.Object(
  {
    id: Type.String({ pattern: ID_PATTERN, expected: 'an id of lowercase letters, digits, ".", "-" and "_"' }),
    title: Type.String({ minLength: 1, expected: 'a non-empty title' }),
    tags: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }), { expected: 'a list of tags' })),
    points: Type.Optional(Type.Number({ minimum: 0, expected: 'a number of points ≥ 0', description: 'Default 1.' })),
    explain: Type.Optional(Type.String({ description: 'Markdown shown in the report: what happens and why.' })),
    timeout: Type.Optional(Duration),
    skip: Type.Optional(Type.String({ minLength: 1, expected: 'the reason the experiment is skipped' })),
    hidden: Type.Optional(Type.Boolean({ description: 'Details are not shown to students (Gradescope visibility "hidden"); the score counts.' })),
    capture: Type.Optional(CaptureOption),
    topology: Type.Optional(
      Type.Union([Type.Literal('loopback'), Type.Literal('two-hosts')], {
        expected: 'loopback or two-hosts',
        description: 'two-hosts: a server host and a client host in their own network namespaces (needs root and iproute2).',
      }),
    ),
    limits: Type.Optional(LimitsOption),
    partial: Type.Optional(Type.Boolean({ description: 'Partial credit: points × the share of expectations that passed (default: all or nothing).' })),
    judge: Type.Optional(
      Type.Union([Type.Literal('client'), Type.Literal('server')], {
        expected: 'client or server',
        description:
          "When grading runs a student's client and server together, judge only this one, with the reference partner, for all the points (the problems judge what a client does when no server answers). Default: each, for half (blame isolation).",
      }),
    ),
    steps: Type.Array(Type.Object({}, { additionalProperties: true, expected: 'a step (a mapping such as `run: tcp-client`)' }), {
      minItems: 1,
      expected: 'a non-empty list of steps',
    }),
  },
  { additionalProperties: false, expected: 'an experiment with id, title and steps' },
);
export type ExperimentFields = Static<typeof ExperimentSchema>;

/** Experiment-level defaults. */
export const DEFAULT_EXPERIMENT_TIMEOUT_MS = 60_000;
export const DEFAULT_POINTS = 1;
