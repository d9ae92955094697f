// Building blocks shared by the experiment schema and the step kinds' own schemas.
// Every schema carries an `expected` annotation: the phrase error messages use ("expected …, got …").
// A `title` names a shared schema in the editor schema's `definitions` (harness/commands/definition-names.ts).
import { Type } from '@sinclair/typebox';
import { DURATION_PATTERN } from './duration.js';

/** A whole-value template such as `{{ports.server}}`, accepted wherever a number is expected. */
export const TEMPLATE_PATTERN = '^\\{\\{\\s*[A-Za-z0-9_.-]+\\s*\\}\\}$';

export const Duration = Type.Union(
  [Type.String({ pattern: DURATION_PATTERN }), Type.Number({ minimum: 0 })],
  { title: 'Duration', expected: 'a duration such as 500ms, 3s or 1.5m', description: 'Duration: 500ms, 3s, 1.5m; a bare number is milliseconds.' },
);

export const PortRef = Type.Union(
  [Type.Integer({ minimum: 1, maximum: 65535 }), Type.String({ pattern: TEMPLATE_PATTERN })],
  { title: 'PortRef', expected: 'a port 1–65535 or a template such as {{ports.server}}' },
);

export const Env = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
  expected: 'a map of environment variable names to strings',
});

export const InterceptOption = Type.Union([Type.Literal(false), Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { minItems: 1 })], {
  title: 'Intercept',
  expected: 'false, or a list of ports',
  description:
    "In the experiment's world: the ports a client that ignores its command line uses to reach this service (hard-coded), delivered to where it really listens; false: none. Default: the role's commonPorts (origin: 80; smtp-sink: 25 and 587).",
});
