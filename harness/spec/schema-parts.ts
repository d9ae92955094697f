// Building blocks shared by the experiment schema and the step kinds' own schemas.
// Every schema carries an `expected` annotation: the phrase error messages use ("expected …, got …").
import { Type, type Static } from '@sinclair/typebox';
import { DURATION_PATTERN } from './duration.js';
import { NETWORK_ERROR_CODES } from '../expect/network-errors.js';

/** A whole-value template such as `{{ports.server}}`, accepted wherever a number is expected. */
export const TEMPLATE_PATTERN = '^\\{\\{\\s*[A-Za-z0-9_.-]+\\s*\\}\\}$';

export const Duration = Type.Union(
  [Type.String({ pattern: DURATION_PATTERN }), Type.Number({ minimum: 0 })],
  { expected: 'a duration such as 500ms, 3s or 1.5m', description: 'Duration: 500ms, 3s, 1.5m; a bare number is milliseconds.' },
);

export const PortRef = Type.Union(
  [Type.Integer({ minimum: 1, maximum: 65535 }), Type.String({ pattern: TEMPLATE_PATTERN })],
  { expected: 'a port 1–65535 or a template such as {{ports.server}}' },
);

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
  { additionalProperties: false, minProperties: 1, expected: 'a text matcher with equals, contains, notContains, matches or empty' },
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
    error: Type.Optional(
      Type.Unsafe<string>({
        type: 'string',
        enum: [...NETWORK_ERROR_CODES],
        description: 'A network error recognised in the output of any language (ECONNREFUSED, ETIMEDOUT, …).',
      }),
    ),
    silent: Type.Optional(
      Type.Boolean({ description: 'Still waiting, with no reply printed, when its timeout expires (a vanished UDP datagram).' }),
    ),
    timedOut: Type.Optional(Type.Boolean({ description: 'Whether the program was still running when its timeout expired.' })),
    within: Type.Optional(Duration),
    running: Type.Optional(
      Type.Boolean({ description: 'Whether a service was still running when stopped (false: it had died on its own).' }),
    ),
  },
  { additionalProperties: false, expected: 'expectations: exit, stdout, stderr, output, error, silent, timedOut, within, running' },
);
export type ProcessExpectation = Static<typeof ProcessExpectation>;

export const Env = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
  expected: 'a map of environment variable names to strings',
});

/** Fields shared by every step that launches a program playing a role. */
export const launchFields = {
  args: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Number()]), { expected: 'a list of arguments' })),
  stdin: Type.Optional(Type.String({ description: 'Text written to the program, then stdin is closed.' })),
  env: Type.Optional(Env),
  name: Type.Optional(
    Type.String({ pattern: '^[a-z][a-z0-9-]*$', expected: 'a lowercase name such as server-a', description: 'Name other steps use; defaults to the role.' }),
  ),
  title: Type.Optional(Type.String()),
};
