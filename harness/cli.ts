// The socklab command line: run, validate, list. Exit codes: 0 all passed, 1 some failed,
// 2 invalid spec or usage, 3 harness error, 130 interrupted.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { loadLab } from './lab/load-lab.js';
import { RoleTable } from './lab/role-table.js';
import { findSpecFiles } from './spec/find-spec-files.js';
import { loadSpecFilesOrThrow } from './spec/load-spec.js';
import { EXIT_CODES, SocklabError, SpecInvalidError } from './spec/errors.js';
import { selectExperiments } from './run/select-experiments.js';
import { runSuite } from './run/run-suite.js';
import { installExitCleanup, killAllSync, setRunTag } from './run/process/live-groups.js';
import { killTaggedProcesses } from './run/process/process-sweep.js';
import { createReporters, defaultReporterNames } from './report/registry.js';
import { ReporterMultiplexer } from './report/multiplexer.js';
import type { ExperimentSpec } from './spec/spec-types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

interface CommonOptions {
  lab: string;
  submission?: string;
  role: string[];
}

interface RunOptions extends CommonOptions {
  grep?: string;
  tag: string[];
  jobs: number;
  reporter: string[];
  out: string;
}

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)];
const repeat = (value: string, previous: string[]) => [...previous, value];
const positiveInteger = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return parsed;
};

function addCommonOptions(command: Command): Command {
  return command
    .option('--lab <file>', 'lab file declaring the roles', path.join(root, 'specs', 'lab.yaml'))
    .option('--submission <dir>', 'play roles with the programs mapped in DIR/socklab.yaml')
    .option('--role <name=command>', 'play one role with COMMAND (repeatable), e.g. tcp-server="python3 TCPServer.py"', repeat, []);
}

/** Paths and experiment ids are both accepted as arguments; anything that is not a file or folder is an id. */
function loadExperiments(args: string[], options: CommonOptions): { experiments: ExperimentSpec[]; ids: string[]; roles: RoleTable } {
  const paths = args.filter((arg) => existsSync(arg));
  const ids = args.filter((arg) => !existsSync(arg));
  const roles = new RoleTable(loadLab(options.lab));
  if (options.submission) roles.overrideFromSubmission(options.submission);
  for (const option of options.role) roles.overrideFromOption(option);
  const files = findSpecFiles(paths.length > 0 ? paths : [path.join(root, 'specs')]);
  const experiments = loadSpecFilesOrThrow(files, { roles: roles.roleNames });
  return { experiments, ids, roles };
}

async function runCommand(args: string[], options: RunOptions): Promise<number> {
  const { experiments, ids, roles } = loadExperiments(args, options);
  const selected = selectExperiments(experiments, { ids, grep: options.grep, tags: options.tag });
  if (selected.length === 0) throw new SocklabError('NOTHING_SELECTED', 'no experiment matches the given paths, ids, --grep and --tag', EXIT_CODES.specInvalid);
  const outputDir = path.resolve(options.out);
  mkdirSync(outputDir, { recursive: true });
  const reporter = new ReporterMultiplexer(createReporters(options.reporter.length ? options.reporter : defaultReporterNames, { outputDir }));

  const runTag = `${process.pid}-${Date.now().toString(36)}`;
  setRunTag(runTag);
  installExitCleanup();
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      // Second Ctrl-C: no more waiting. Kill everything now; reports of finished experiments are lost.
      killAllSync();
      process.exit(EXIT_CODES.interrupted);
    }
    process.stderr.write(`\nsocklab: ${signal} received: stopping programs and writing reports (press Ctrl-C again to quit at once)\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runSuite({
      experiments: selected,
      jobs: options.jobs,
      reporter,
      outputDir,
      subject: options.submission ? path.resolve(options.submission) : options.role.length ? 'custom roles' : 'reference',
      environment: { roles, root, fixturesDir: path.join(root, 'specs', 'fixtures'), outputDir, runTag, signal: interrupt.signal },
      toolVersion: version,
    });
    if (result.status === 'interrupted') return EXIT_CODES.interrupted;
    if (result.status === 'error') return EXIT_CODES.harnessError;
    return result.status === 'passed' ? EXIT_CODES.passed : EXIT_CODES.failed;
  } finally {
    killTaggedProcesses(runTag);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function validateCommand(args: string[], options: CommonOptions): number {
  const { experiments } = loadExperiments(args, options);
  process.stdout.write(`${experiments.length} experiment${experiments.length === 1 ? '' : 's'} valid\n`);
  return EXIT_CODES.passed;
}

function listCommand(args: string[], options: CommonOptions): number {
  const { experiments } = loadExperiments(args, options);
  for (const experiment of experiments) {
    const where = `${path.relative(process.cwd(), experiment.location.file)}:${experiment.location.line}`;
    process.stdout.write(`${experiment.id}\t${experiment.title}\t[${experiment.tags.join(', ')}]\t${where}\n`);
  }
  return EXIT_CODES.passed;
}

const program = new Command('socklab')
  .description('Declarative test harness and grading runner for the socket-programming lab')
  .version(version)
  .showHelpAfterError()
  .exitOverride();

addCommonOptions(
  program
    .command('run')
    .description('run experiments (default: everything in specs/ against the reference services)')
    .argument('[paths-or-ids...]', 'spec files, folders, or experiment ids')
    .option('-g, --grep <regex>', 'only experiments whose id or title matches')
    .option('-t, --tag <tag>', 'only experiments with this tag (repeatable)', repeat, [])
    .option('-j, --jobs <n>', 'experiments run at once', positiveInteger, os.availableParallelism())
    .option('-r, --reporter <names>', `reporters, comma-separated (default: ${defaultReporterNames.join(',')})`, collect, [])
    .option('-o, --out <dir>', 'report folder', 'reports'),
).action(async (args: string[], options: RunOptions) => {
  process.exitCode = await runCommand(args, options);
});

addCommonOptions(
  program.command('validate').description('check spec files without running anything').argument('[paths...]', 'spec files or folders'),
).action((args: string[], options: CommonOptions) => {
  process.exitCode = validateCommand(args, options);
});

addCommonOptions(
  program.command('list').description('list experiments: id, title, tags, file:line').argument('[paths...]', 'spec files or folders'),
).action((args: string[], options: CommonOptions) => {
  process.exitCode = listCommand(args, options);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportFatal(error);
}

function reportFatal(error: unknown): number {
  if (error instanceof SpecInvalidError) {
    process.stderr.write(`${error.render()}\n`);
    return error.exitCode;
  }
  if (error instanceof SocklabError) {
    process.stderr.write(`socklab: ${error.message}\n`);
    return error.exitCode;
  }
  const commanderError = error as { code?: string; exitCode?: number };
  if (typeof commanderError.code === 'string' && commanderError.code.startsWith('commander.')) {
    const informational = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(commanderError.code);
    return informational ? EXIT_CODES.passed : EXIT_CODES.specInvalid;
  }
  process.stderr.write(`socklab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_CODES.harnessError;
}
