// The command line a role's program gets for one step: its command, and the step's arguments placed
// the way the program takes them (lab/role-arguments.ts). Decided per experiment when it is planned
// (a `command-line` experiment judges the handout's way), per launch when it runs (the next
// convention after a usage error).
import type { Invocation } from '../model/result.js';
import type { RoleInvocation } from '../lab/role-table.js';
import { arrangeArguments, COMMAND_LINE_TAG, conventionLabel, fillArgumentTemplates, givenConvention, handoutCommand } from '../lab/role-arguments.js';

/** How a planned role takes the steps' arguments: the binding's way, or the handout's in a command-line experiment. */
export type PlannedInvocation = RoleInvocation | { kind: 'handout'; instead: 'template' | 'conventions' };

/** The binding's way of taking arguments, unless the experiment judges the handout's command line. */
export function planInvocation(invocation: RoleInvocation, command: string[], tags: readonly string[]): { command: string[]; invocation: PlannedInvocation } {
  if (!tags.includes(COMMAND_LINE_TAG) || invocation.kind === 'given') return { command, invocation };
  return { command: invocation.kind === 'template' ? handoutCommand(command) : command, invocation: { kind: 'handout', instead: invocation.kind } };
}

export interface RoleCommandRequest {
  command: string[];
  usage: string;
  invocation: PlannedInvocation;
  /** The step's arguments. */
  args: string[];
  /** Which of the conventions to try (0: the first). */
  attempt: number;
  /** The address of the host the program runs on (`{{host}}` for a server). */
  ownHost: string;
}

/** The full command line and, for a submission's program taking arguments its own way, how; or why it cannot be made. */
export function roleCommandLine(request: RoleCommandRequest): { command: string[]; invocation?: Invocation } | { problem: string } {
  const { command, usage, invocation, args } = request;
  switch (invocation.kind) {
    case 'given':
      return { command: [...command, ...args] };
    case 'handout':
      return { command: [...command, ...args], invocation: { convention: givenConvention(usage).name, how: 'handout' } };
    case 'template': {
      const filled = fillArgumentTemplates(command, usage, args, request.ownHost);
      if (!filled) return { problem: `the role command ${command.join(' ')} names a value this step does not pass (it passes: ${args.join(' ') || 'nothing'})` };
      return { command: filled, invocation: { convention: 'template', how: 'template' } };
    }
    case 'conventions': {
      const choice = invocation.choices[Math.min(request.attempt, invocation.choices.length - 1)];
      const arranged = arrangeArguments(choice.convention, usage, args);
      const how = choice.how === 'source' ? 'source' : 'tried';
      return { command: [...command, ...arranged], invocation: { convention: conventionLabel(choice.convention), how, ...(choice.source ? { source: choice.source } : {}) } };
    }
  }
}

/** How many ways of passing arguments there are to try for a role (1 when its source says which). */
export function conventionCount(invocation: PlannedInvocation): number {
  return invocation.kind === 'conventions' ? invocation.choices.length : 1;
}
