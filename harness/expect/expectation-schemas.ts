// The schemas of what a spec may expect of a program's run and of any text: the loader checks specs
// with them, and the evaluators in this folder read the validated values.
import { Type, type Static } from '@sinclair/typebox';
import { Duration } from '../schema/parts.js';
import { NETWORK_ERROR_CODES } from './network-errors.js';

/** A network error code a spec may expect: recognised in a program's output, or met by a probe. */
export const NetworkError = Type.Unsafe<string>({
  title: 'NetworkError',
  type: 'string',
  enum: [...NETWORK_ERROR_CODES],
  description: 'A network error, recognised in the output of any language (ECONNREFUSED, ETIMEDOUT, …) or met by a probe.',
});

export const TextMatcher = Type.Object(
  {
    equals: Type.Optional(Type.String({ description: 'Whole output equals this text (a final newline is ignored on both sides).' })),
    contains: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })], {
        expected: 'a string or a list of strings',
        description: 'Output contains each of these texts.',
      }),
    ),
    notContains: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })], { expected: 'a string or a list of strings' }),
    ),
    matches: Type.Optional(Type.String({ description: 'A JavaScript regular expression (multiline flag on).' })),
    empty: Type.Optional(Type.Boolean({ description: 'Output is empty (true) or not (false).' })),
  },
  { title: 'TextMatcher', additionalProperties: false, minProperties: 1, expected: 'a text matcher with equals, contains, notContains, matches or empty' },
);
export type TextMatcher = Static<typeof TextMatcher>;

export const ExitExpectation = Type.Union(
  [
    Type.Integer({ minimum: 0, maximum: 255 }),
    Type.Literal('nonzero'),
    Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), { minItems: 1 }),
  ],
  { expected: 'an exit code 0–255, a list of codes, or "nonzero"' },
);

/** What a program run is expected to do. All listed expectations must hold. */
export const ProcessExpectation = Type.Object(
  {
    exit: Type.Optional(ExitExpectation),
    stdout: Type.Optional(TextMatcher),
    stderr: Type.Optional(TextMatcher),
    output: Type.Optional(TextMatcher),
    error: Type.Optional(NetworkError),
    silent: Type.Optional(
      Type.Boolean({ description: 'Still waiting, with no reply printed, when its timeout expires (a vanished UDP datagram).' }),
    ),
    timedOut: Type.Optional(Type.Boolean({ description: 'Whether the program was still running when its timeout expired.' })),
    within: Type.Optional(Duration),
    running: Type.Optional(
      Type.Boolean({ description: 'Whether a service was still running when stopped (false: it had died on its own).' }),
    ),
    destination: Type.Optional(
      Type.Literal('told', {
        expected: 'told',
        description:
          "The program reached the host and the port it was told, as its world saw it (two checks, `destination.host` and `destination.port`: no name or address of its own, no port of its own). Its exit is then not checked on its own: a program that did not get through fails both.",
      }),
    ),
  },
  { title: 'ProcessExpectation', additionalProperties: false, expected: 'expectations: exit, stdout, stderr, output, error, silent, timedOut, within, running, destination' },
);
export type ProcessExpectation = Static<typeof ProcessExpectation>;
