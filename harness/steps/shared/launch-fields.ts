// The fields of every step that launches a program playing a role (run, start).
import { Type } from '@sinclair/typebox';
import { Env } from '../../schema/parts.js';
import type { LaunchRequest } from '../step-kind.js';

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

/** The launch a step with `launchFields` asks for, for its program playing `role`. */
export function launchRequest(role: string, step: { args?: Array<string | number>; stdin?: string; env?: Record<string, string> }): LaunchRequest {
  return { role, args: (step.args ?? []).map(String), stdin: step.stdin, env: step.env };
}
