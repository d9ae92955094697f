// The lab file (specs/lab.yaml): which roles exist, how they are called, and which command plays
// each one by default (our reference services).
import { Type, type Static } from '@sinclair/typebox';

const Command = Type.Array(Type.String(), { title: 'Command', minItems: 1, expected: 'a command as a list: [program, arg, …]' });

export const RoleSchema = Type.Object(
  {
    description: Type.String({ minLength: 1 }),
    usage: Type.String({ description: 'The argument convention, e.g. "HOST PORT".' }),
    reference: Command,
    host: Type.Optional(
      Type.Union([Type.Literal('server'), Type.Literal('client')], {
        expected: 'server or client',
        description: 'Which host the program runs on in the two-host topology (default: client).',
      }),
    ),
    files: Type.Optional(
      Type.Array(Type.String(), { description: 'File names that play this role in a student submission (used by grading).' }),
    ),
    commonPorts: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), {
        expected: 'a list of ports',
        description:
          "Ports students hard-code for this role (the book's 12000, a web server's 80 or 6789). In an experiment's world, a client's connection to one of them reaches this role's server (and the report says so).",
      }),
    ),
    ignoreOutput: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Regular expressions for prompt text that does not count as output (e.g. for `silent: true`).',
      }),
    ),
    timersGiveUp: Type.Optional(
      Type.Boolean({
        description:
          "The reference program's own timers only make it give up, never retry or print anything new (a tool such as curl with -m): once every other program of the experiment waits for input that nothing will send, its step ends early, as at the step's timeout, instead of at the tool's own (so an expectation on the tool's exit code cannot hold: check its output). Never assumed of a submission's program.",
      }),
    ),
  },
  { additionalProperties: false, expected: 'a role with description, usage and reference' },
);
export type RoleDefinition = Static<typeof RoleSchema>;

/** How a student's file of one language is built (optionally) and run. `{{file}}` and `{{stem}}` name it. */
export const LanguageSchema = Type.Object(
  {
    build: Type.Optional(Command),
    run: Command,
  },
  { additionalProperties: false, expected: 'a language with run (and optional build) commands' },
);
export type LanguageDefinition = Static<typeof LanguageSchema>;

export const LabSchema = Type.Object(
  {
    lab: Type.String({ description: 'Name of the lab.' }),
    languages: Type.Optional(
      Type.Record(Type.String({ pattern: '^\\.[a-z0-9]+$' }), LanguageSchema, {
        expected: 'a map of file extensions (".py") to { build, run } commands',
      }),
    ),
    weights: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }), Type.Number({ minimum: 0 }), {
        expected: 'a map of tags to weights, e.g. { task1: 1, task2: 2 }',
        description: "Multiplies an experiment's points by the weight of its first tag that has one (default 1).",
      }),
    ),
    roles: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]*$' }), RoleSchema, { expected: 'a map of role names to roles' }),
  },
  { additionalProperties: false, expected: 'a lab file with lab and roles' },
);
export type LabDefinition = Static<typeof LabSchema>;
