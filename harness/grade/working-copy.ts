// A fresh copy of a student's submission, with compiled languages built, and the command that plays
// each role there. Build failures are recorded per role (the student's fault, reported with the
// compiler's output), never thrown.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseCommandString } from 'execa';
import type { LabDefinition } from '../lab/lab-schema.js';
import { Program } from '../process/program.js';
import type { DetectedProgram } from './detect-programs.js';
import type { ConventionChoice } from '../lab/role-arguments.js';
import type { SandboxPolicy, SandboxRequest } from '../process/sandbox.js';
import { sandboxSupport } from '../process/sandbox-support.js';
import { chownTree, leaseSandboxUser, releaseSandboxUser } from '../process/sandbox-user.js';
import { copySubmissionFolder } from '../plan/contain-experiment.js';

export interface PreparedRole {
  role: string;
  command: string[];
  /** Folder the program runs in (inside the working copy): the program file's own folder, as a grader would `cd` there. */
  cwd: string;
  /** How it takes the steps' arguments (detect-arguments.ts); absent for a socklab.yaml command. */
  conventions?: ConventionChoice[];
  /** Where it finds its files, when not in `cwd` (inside the working copy). */
  filesDir?: string;
  /** Why the role cannot be played (a build failed, an unknown language). */
  problem?: string;
}

const BUILD_TIMEOUT_MS = 60_000;

export async function makeWorkingCopy(submission: string, label: string): Promise<string> {
  const copy = await mkdtemp(path.join(os.tmpdir(), `socklab-grade-${label.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
  await copySubmissionFolder(submission, copy);
  return copy;
}

/**
 * Builds what needs building and says how each role is played. With a sandbox the builds run in it, as
 * a user of their own (where socklab is root) to whom the working copy belongs while they run; it is
 * socklab's again afterwards, as each experiment works in its own copy of it (plan/contain-experiment.ts).
 */
export async function prepareRoles(copy: string, programs: DetectedProgram[], lab: LabDefinition, tag: string, sandbox?: SandboxPolicy): Promise<PreparedRole[]> {
  const builds = programs.some((program) => program.command === undefined && lab.languages?.[path.extname(program.file!).toLowerCase()]?.build);
  const user = sandbox && builds && sandboxSupport().setpriv ? leaseSandboxUser() : undefined;
  try {
    if (user) chownTree(copy, user);
    return await prepareEachRole(copy, programs, lab, tag, sandbox ? { hidden: sandbox.hidden, ...(user ? { user } : {}) } : undefined);
  } finally {
    if (user) {
      releaseSandboxUser(user);
      chownTree(copy, { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
    }
  }
}

async function prepareEachRole(copy: string, programs: DetectedProgram[], lab: LabDefinition, tag: string, sandbox?: Pick<SandboxRequest, 'hidden' | 'user'>): Promise<PreparedRole[]> {
  const prepared: PreparedRole[] = [];
  const built = new Map<string, string | null>();
  for (const program of programs) {
    const found = { ...(program.conventions ? { conventions: program.conventions } : {}), ...(program.filesDir ? { filesDir: path.join(copy, program.filesDir) } : {}) };
    if (program.command !== undefined) {
      const command = Array.isArray(program.command) ? program.command : parseCommandString(program.command);
      prepared.push({ role: program.role, command, cwd: copy, ...found });
      continue;
    }
    const file = program.file!;
    const extension = path.extname(file).toLowerCase();
    const language = lab.languages?.[extension];
    const cwd = path.join(copy, path.dirname(file));
    const values = { file: path.basename(file), stem: path.basename(file, path.extname(file)) };
    if (!language) {
      prepared.push({ role: program.role, command: [], cwd, problem: `no rule for ${extension} files in the lab file's languages` });
      continue;
    }
    if (language.build) {
      if (!built.has(file)) built.set(file, await build(language.build.map((word) => fill(word, values)), { cwd, tag, sandbox: sandbox ? { ...sandbox, writable: [copy], cwd } : undefined }));
      const failure = built.get(file);
      if (failure) {
        prepared.push({ role: program.role, command: [], cwd, problem: `${file} did not build:\n${failure}` });
        continue;
      }
    }
    prepared.push({ role: program.role, command: [...language.run.map((word) => fill(word, values)), ...(program.args ?? [])], cwd, ...found });
  }
  return prepared;
}

/** Runs a build command (in the sandbox when grading is: the compiler reads the student's sources);
 * returns null on success, else what it printed. */
async function build(command: string[], where: { cwd: string; tag: string; sandbox?: SandboxRequest }): Promise<string | null> {
  const { cwd, tag, sandbox } = where;
  const program = new Program({ command, cwd, env: { ...process.env } as Record<string, string>, tag, sandbox });
  const exit = await program.waitForExit(BUILD_TIMEOUT_MS);
  await program.stop();
  const output = `${program.stdout.text()}${program.stderr.text()}`.trim();
  if (program.spawnError) return program.spawnError.message;
  if (!exit) return `${command.join(' ')} did not finish within ${BUILD_TIMEOUT_MS / 1000}s`;
  return exit.exitCode === 0 ? null : `${command.join(' ')} exited with ${exit.exitCode ?? exit.signal}\n${output}`;
}

function fill(word: string, values: Record<string, string>): string {
  return word.replace(/\{\{\s*(file|stem)\s*\}\}/g, (_match, name: string) => values[name]);
}
