// What every command shares: where socklab lives, loading the lab and specs, and running with
// Ctrl-C / SIGTERM handled (programs stopped, reports of what finished still written).
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { root } from '../socklab-root.js';
import type { LabDefinition } from '../lab/lab-schema.js';
import { findSpecFiles } from '../spec/find-spec-files.js';
import { rememberedLab, rememberedSpecs } from './remembered-files.js';
import type { ExperimentSpec } from '../spec/spec-types.js';
import { EXIT_CODES, SocklabError } from '../errors.js';
import type { SandboxPolicy } from '../process/sandbox.js';
import { sandboxSupport } from '../process/sandbox-support.js';
import { platformSupport } from '../process/platform-support.js';
import { installExitCleanup, killAllSync, setRunTag } from '../process/live-groups.js';
import { killTaggedProcesses } from '../process/process-sweep.js';
import { closestMatch } from '../spec/did-you-mean.js';
import { reporterNames } from '../report/registry.js';
import { namespacesUnavailable, sweepStaleNamespaces } from '../network/world.js';
import { interceptionUnavailable } from '../network/interception.js';
import type { PlanEnvironment } from '../plan/plan-experiment.js';
import type { ExperimentEnvironment } from '../run/experiment-state.js';
import { ExperimentWorld } from '../run/experiment-world.js';
import { describeDefaultsUsed, specDefaults } from './default-paths.js';

export { root };
export const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
/** The specs and lab file used when the command line names none (default-paths.ts). */
export const defaults = specDefaults();
export const fixturesDir = defaults.fixtures;

/** Arguments are spec files, folders, or experiment ids (anything that is not a path). */
export function splitPathsAndIds(args: string[]): { paths: string[]; ids: string[] } {
  return { paths: args.filter((arg) => existsSync(arg)), ids: args.filter((arg) => !existsSync(arg)) };
}

/**
 * The lab file and the experiments of the spec files under `paths`. Given `ids` (`socklab run
 * tcp-lowercase`), only the files whose text names one of them are parsed: a file that does not
 * contain an id cannot define it. When none does, every file is parsed, so that the error can say
 * which ids exist.
 */
export function loadLabAndSpecs(paths: string[], labFile: string, ids: readonly string[] = []): { lab: LabDefinition; experiments: ExperimentSpec[] } {
  const lab = rememberedLab(labFile);
  const files = findSpecFiles(paths.length > 0 ? paths : [defaults.specs]);
  const texts = new Map(files.map((file) => [file, readFileSync(file)]));
  const naming = ids.length ? files.filter((file) => ids.some((id) => texts.get(file)!.includes(id))) : files;
  const experiments = rememberedSpecs(naming.length ? naming : files, { roles: new Set(Object.keys(lab.roles)) }, texts);
  return { lab, experiments };
}

/** Says where the specs and lab file came from when either was a default (`socklab: specs ./specs and …`). */
export function announceDefaults(specsGiven: boolean, labFile: string, stream: NodeJS.WritableStream = process.stdout): void {
  const line = describeDefaultsUsed(defaults, specsGiven, labFile);
  if (line) stream.write(`${line}\n`);
}

/**
 * Runs `work` with a run tag for every program it starts and an abort signal that the first Ctrl-C
 * or SIGTERM fires (a second one kills everything at once). Whatever happens, nothing tagged survives.
 */
export async function withInterrupts<T>(work: (signal: AbortSignal, runTag: string) => Promise<T>): Promise<T> {
  const runTag = `${process.pid}-${Date.now().toString(36)}`;
  setRunTag(runTag);
  installExitCleanup();
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      killAllSync();
      process.exit(EXIT_CODES.interrupted);
    }
    process.stderr.write(`\nsocklab: ${signal} received: stopping programs and writing reports (press Ctrl-C again to quit at once)\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(interrupt.signal, runTag);
  } finally {
    await ExperimentWorld.disposeSpare();
    killTaggedProcesses(runTag);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `--shard i/n` with 1 ≤ i ≤ n, or undefined when it is not that. */
export function parseShard(text: string): { index: number; count: number } | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return count >= 1 && index >= 1 && index <= count ? { index, count } : undefined;
}

/** `--shard 2/5` → keeps the items whose index ≡ 1 (mod 5). Deterministic, so every shard of a CI matrix agrees. */
export function shardOf<T>(items: T[], shard: string | undefined): T[] {
  if (!shard) return items;
  const parsed = parseShard(shard);
  // The command line checks this first; a caller passing something else is still told, as a usage error.
  if (!parsed) throw new SocklabError('BAD_SHARD', `--shard expects i/n with 1 ≤ i ≤ n, e.g. 2/5; got "${shard}"`, EXIT_CODES.specInvalid);
  return items.filter((_, position) => position % parsed.count === parsed.index - 1);
}

/**
 * Whether a submission's programs run in the filesystem sandbox. `--sandbox` requires it (no sandbox
 * here is an error before anything runs); `--no-sandbox` turns it off; otherwise `byDefault` decides,
 * and when the default cannot be honoured the run goes on unconfined, said once here and on every step
 * that starts such a program. `hidden`: folders the programs must never see (besides socklab itself).
 */
export function chooseSandbox(option: boolean | undefined, byDefault: boolean, hidden: string[]): { sandbox?: SandboxPolicy; description: string } {
  if (option === false || (option === undefined && !byDefault)) return { description: 'off' };
  const policy = { hidden: [...new Set([root, ...hidden].map((folder) => path.resolve(folder)))] };
  const support = sandboxSupport();
  if (support.bwrap) {
    const user = support.setpriv ? 'run as a user of their experiment\'s own' : `run as socklab's user (${support.userProblem})`;
    return { sandbox: policy, description: `${support.version ?? 'bubblewrap'}: submission programs ${user}, each in its own PID namespace, and see the system read-only, their own folder and their experiment's /tmp` };
  }
  if (option === true) throw new SocklabError('NO_SANDBOX', `--sandbox: ${support.problem}`, EXIT_CODES.harnessError);
  process.stderr.write(`socklab: warning: submission programs run without a filesystem sandbox: ${support.problem}\n`);
  return { sandbox: policy, description: `unavailable: ${support.problem}` };
}

/** Says once, before anything runs, what of socklab's Linux machinery this platform lacks (platform-support.ts). */
export function announcePlatformGaps(): void {
  for (const line of platformSupport().missing) process.stderr.write(`socklab: note: ${line}\n`);
}

/** Folders of the spec files and the lab file: what sandboxed programs must not read. */
export function specFolders(paths: string[], labFile: string): string[] {
  const folders = paths.map((file) => (statSync(file, { throwIfNoEntry: false })?.isDirectory() ? file : path.dirname(file)));
  return [...folders, path.dirname(labFile)];
}

/** `--reporter` names must be known: a typo is a usage error before anything runs, with a near miss suggested. */
export function checkReporterNames(names: readonly string[]): void {
  for (const name of names) {
    if (reporterNames.includes(name)) continue;
    const suggestion = closestMatch(name, reporterNames);
    const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
    throw new SocklabError('UNKNOWN_REPORTER', `unknown reporter "${name}"${hint}; valid reporters: ${reporterNames.join(', ')}`, EXIT_CODES.specInvalid);
  }
}

/**
 * How the run places experiments in worlds of their own (plan-experiment.ts), and the one warning
 * per run when it cannot: the affected experiments then say so too.
 */
export async function prepareWorlds(worlds: PlanEnvironment['worlds']): Promise<Pick<ExperimentEnvironment, 'worlds' | 'namespacesUnavailable' | 'interceptionUnavailable'>> {
  if (worlds !== 'required') {
    const problem = await namespacesUnavailable();
    if (problem) process.stderr.write(`socklab: warning: experiments run on loopback, not in worlds of their own: ${problem}\n`);
    else await sweepStaleNamespaces();
    const interception = problem ? null : await interceptionUnavailable();
    if (interception) process.stderr.write(`socklab: warning: hard-coded destinations are not intercepted: ${interception}\n`);
  }
  return { worlds, namespacesUnavailable, interceptionUnavailable };
}
