// Which command plays each role in this run: the lab's reference programs, overridden per role by a
// submission (`--submission DIR` with a socklab.yaml, or `--role NAME=COMMAND`).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommandString } from 'execa';
import { parse as parseYaml } from 'yaml';
import { SocklabError, EXIT_CODES } from '../errors.js';
import type { LabDefinition } from './lab-schema.js';
import { roleCommandProblem, usesArgumentTemplates, type ConventionChoice } from './role-arguments.js';

export interface RoleBinding {
  role: string;
  /** Command with templates such as {{root}} or {{server.host}} still in it. */
  command: string[];
  /** Working folder; undefined runs in the experiment's temp folder. */
  cwd?: string;
  /**
   * Where the program finds its files, when not its working folder: a web server that serves the
   * folder of the submission's own pages (`server/www/`). Steps' `files:` go there, `{{dir.ROLE}}` names it.
   */
  filesDir?: string;
  source: 'reference' | 'submission';
  ignoredOutput: RegExp[];
  /** Which host its program runs on in the two-host topology. */
  host: 'server' | 'client';
  /** Ports students hard-code for this role: in a world, clients' connections to them reach its server. */
  commonPorts: number[];
  /** Why this role cannot be played (no program in the submission, a failed build): its steps fail with this. */
  unavailable?: string;
  /** The role's usage from the lab file (`PORT`, `HOST PORT`): what the steps' arguments carry. */
  usage: string;
  /** How the steps' arguments reach the program (lab/role-arguments.ts). */
  invocation: RoleInvocation;
  /** Added to its program's environment (variables a student's program reads, set as a grader exports them). */
  env?: Record<string, string>;
  /** The reference program's timers only make it give up (lab file `timersGiveUp`); never set for a submission's. */
  timersGiveUp?: boolean;
}

/**
 * `given`: the step's arguments appended (reference programs, a command without templates);
 * `template`: the command places them itself (`--port {{port}}`); `conventions`: a program found by
 * grading, with the convention read from its source (one choice) or those to try in order.
 */
export type RoleInvocation = { kind: 'given' } | { kind: 'template' } | { kind: 'conventions'; choices: ConventionChoice[] };

export class RoleTable {
  private readonly bindings = new Map<string, RoleBinding>();

  constructor(readonly lab: LabDefinition) {
    for (const role of Object.keys(lab.roles)) this.bindings.set(role, this.reference(role));
  }

  /** The lab's reference program for `role`, whatever plays it in this run (a partner for a student's program). */
  reference(role: string): RoleBinding {
    const definition = this.lab.roles[role];
    if (!definition) throw new SocklabError('UNKNOWN_ROLE', `no program for role ${role}`);
    return {
      role,
      command: definition.reference,
      source: 'reference',
      host: definition.host ?? 'client',
      commonPorts: definition.commonPorts ?? [],
      usage: definition.usage,
      invocation: { kind: 'given' },
      ignoredOutput: (definition.ignoreOutput ?? []).map((pattern) => new RegExp(pattern, 'g')),
      ...(definition.timersGiveUp ? { timersGiveUp: true } : {}),
    };
  }

  get roleNames(): Set<string> {
    return new Set(this.bindings.keys());
  }

  get(role: string): RoleBinding {
    const binding = this.bindings.get(role);
    if (!binding) throw new SocklabError('UNKNOWN_ROLE', `no program for role ${role}`);
    return binding;
  }

  /**
   * Plays `role` with `command` (a string parsed like a shell would split words, or a list). A command
   * with `{{port}}` or `{{host}}` places the step's arguments itself; `conventions` says how a program
   * found by grading takes them.
   */
  override(role: string, command: string | string[], cwd?: string, found?: { conventions?: ConventionChoice[]; filesDir?: string }): void {
    const current = this.bindings.get(role);
    if (!current) {
      throw new SocklabError('UNKNOWN_ROLE', `unknown role "${role}"; the lab defines: ${[...this.bindings.keys()].join(', ')}`, EXIT_CODES.specInvalid);
    }
    const words = Array.isArray(command) ? command : parseCommandString(command);
    if (words.length === 0) throw new SocklabError('EMPTY_COMMAND', `empty command for role ${role}`, EXIT_CODES.specInvalid);
    const problem = roleCommandProblem(words);
    if (problem) throw new SocklabError('BAD_ROLE_COMMAND', `role ${role}: ${problem}`, EXIT_CODES.specInvalid);
    const invocation: RoleInvocation = usesArgumentTemplates(words) ? { kind: 'template' } : found?.conventions?.length ? { kind: 'conventions', choices: found.conventions } : { kind: 'given' };
    this.bindings.set(role, { ...current, command: words, cwd, source: 'submission', invocation, ...(found?.filesDir ? { filesDir: found.filesDir } : {}) });
  }

  /** Sets environment variables for the program playing `role` (they come after the inherited ones). */
  supplyEnvironment(role: string, env: Record<string, string>): void {
    const current = this.get(role);
    this.bindings.set(role, { ...current, env: { ...current.env, ...env } });
  }

  /** Marks a role as having no program (a submission without it, or whose build failed). */
  markUnavailable(role: string, reason: string): void {
    const current = this.get(role);
    this.bindings.set(role, { ...current, source: 'submission', unavailable: reason });
  }

  /** `--role tcp-server="python3 TCPServer.py"` */
  overrideFromOption(option: string, cwd?: string): void {
    const separator = option.indexOf('=');
    if (separator <= 0) throw new SocklabError('BAD_ROLE_OPTION', `--role expects NAME=COMMAND, got "${option}"`, EXIT_CODES.specInvalid);
    this.override(option.slice(0, separator), option.slice(separator + 1), cwd);
  }

  /** Reads SUBMISSION/socklab.yaml: `roles: { tcp-server: "python3 TCPServer.py", … }`. */
  overrideFromSubmission(folder: string): void {
    const file = path.join(folder, 'socklab.yaml');
    if (!existsSync(file)) {
      throw new SocklabError('NO_SUBMISSION_MAP', `${file} not found: it maps roles to programs, e.g.\nroles:\n  tcp-server: python3 TCPServer.py`, EXIT_CODES.specInvalid);
    }
    const parsed = parseYaml(readFileSync(file, 'utf8')) as { roles?: Record<string, string | string[]> } | null;
    if (!parsed?.roles || typeof parsed.roles !== 'object') {
      throw new SocklabError('BAD_SUBMISSION_MAP', `${file}: expected a "roles:" mapping of role names to commands`, EXIT_CODES.specInvalid);
    }
    for (const [role, command] of Object.entries(parsed.roles)) this.override(role, command, path.resolve(folder));
  }
}
