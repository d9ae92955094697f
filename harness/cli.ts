// The socklab command line. Exit codes: 0 all passed (run) / graded (grade), 1 some failed,
// 2 invalid spec or usage, 3 harness error, 130 interrupted.
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT_CODES, SocklabError } from './errors.js';
import { SpecInvalidError } from './spec/spec-invalid-error.js';
import { defaultGradeReporters, defaultReporterNames, reporterNames } from './report/registry.js';
import { announceDefaults, defaults, loadLabAndSpecs, parseShard, version } from './commands/common.js';
// Each command's module is loaded when it runs: `socklab run` does not compile grading, the evidence
// pack, the Gradescope bundle or the course folder writer.
import type { RunOptions } from './commands/run-command.js';
import type { GradeOptions } from './commands/grade-command.js';
import type { GradescopeBundleOptions } from './commands/gradescope-bundle-command.js';
import type { InitOptions } from './commands/init-command.js';
import type { EvidenceOptions } from './commands/evidence-command.js';

quietWhenReaderLeaves();

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)];
const repeat = (value: string, previous: string[]) => [...previous, value];
const positiveInteger = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return parsed;
};
/** The options that put a role on another machine, the same for `run` and `grade`. */
const remoteOptions = (command: Command) =>
  command
    .addOption(listOption('--remote <role=host:port>', 'the role runs on another machine already, started by hand (repeatable): use HOST:PORT; its output and exit are not observable', repeat, 'none'))
    .addOption(listOption('--ssh <role=user@host>', "start the role's program on another machine over SSH, in a temporary folder there (repeatable)", repeat, 'none'))
    .addOption(listOption('--ssh-option <key=value>', 'passed to ssh as -o KEY=VALUE (repeatable), e.g. Port=2222', repeat, 'none'))
    .option('--ssh-identity <file>', "ssh's -i FILE (the agent, SSH_AUTH_SOCK, works too)");

const shard = (value: string) => {
  if (!parseShard(value)) throw new InvalidArgumentError('expected i/n with 1 ≤ i ≤ n, e.g. 2/5');
  return value;
};

// Defaults are shown by --help as written here, once, and never as a path of this machine.
const cores = os.availableParallelism();
const jobsOption = (description: string) => new Option('-j, --jobs <n>', description).argParser(positiveInteger).default(cores, `number of cores, here ${cores}`);
// The current folder's specs/ when it has a lab file (a course folder, `socklab init`), else socklab's own.
const labOption = (description: string) => new Option('--lab <file>', description).default(defaults.lab, "./specs/lab.yaml if there, else socklab's own");
const defaultSpecs = "./specs if it has lab.yaml, else socklab's own";
/** A repeatable option: each use adds to the list (empty unless given); `unset` says what that means. */
const listOption = (flags: string, description: string, parse: typeof repeat, unset: string) => new Option(flags, description).argParser(parse).default([], unset);

const program = new Command('socklab')
  .description('Declarative test harness and grading runner for the socket-programming lab')
  .version(version)
  .exitOverride();

remoteOptions(
  program
    .command('run')
    .description('run experiments (default: everything in specs/ against the reference services)')
  .argument('[paths-or-ids...]', 'spec files, folders, or experiment ids')
  .option('-g, --grep <regex>', 'only experiments whose id or title matches')
  .addOption(listOption('-t, --tag <tag>', 'only experiments with this tag (repeatable)', repeat, 'any tag'))
  .addOption(jobsOption('experiments run at once'))
  .addOption(listOption('-r, --reporter <names>', `reporters, comma-separated: ${reporterNames.join(', ')}`, collect, defaultReporterNames.join(',')))
  .option('-o, --out <dir>', 'report folder', 'reports')
  .option('--capture', 'capture packets of every experiment (tcpdump), not only those with capture:')
  .option('--isolate', 'run every experiment in its own network world (server, client and Internet hosts); needs root and iproute2. --submission and --role programs always get one')
  .option('--shard <i/n>', 'run only the i-th of n slices of the experiments (CI matrix)', shard)
  .addOption(labOption('lab file declaring the roles'))
  .option('--submission <dir>', 'play roles with the programs mapped in DIR/socklab.yaml')
  .addOption(listOption('--role <name=command>', 'play one role with COMMAND (repeatable), e.g. tcp-server="python3 TCPServer.py"', repeat, "the lab's reference programs"))
  .option('--sandbox', 'confine the --submission / --role programs with bubblewrap: run as an unprivileged user per experiment (when root), each in its own PID namespace, seeing the system read-only, their own folder and the /tmp of their experiment')
  .option('--wait-timeouts', 'wait out every step\'s timeout, even once its programs all wait for input that nothing is going to send (by default such a step ends at once, as if timed out)'),
).action(async (args: string[], options: RunOptions) => {
  process.exitCode = await (await import('./commands/run-command.js')).runCommand(args, options);
});

program
  .command('evidence')
  .description('write the hand-in pack: per experiment, the terminal transcript and the Wireshark-style packet list with its ladder, as HTML and PNG, and an index (runs the experiments with packet capture first, unless --from)')
  .argument('[paths-or-ids...]', 'spec files, folders, or experiment ids (with --from: experiment ids of that run)')
  .option('--from <dir>', "make the pack from a finished run's report folder (its results.json and pcaps) instead of running")
  .option('-o, --out <dir>', 'the folder of the pack (the run, when there is one, goes in DIR/run)', 'reports/evidence')
  .option('-g, --grep <regex>', 'only experiments whose id or title matches')
  .addOption(listOption('-t, --tag <tag>', 'only experiments with this tag (repeatable)', repeat, 'any tag'))
  .addOption(jobsOption('experiments run at once'))
  .option('--isolate', 'run every experiment in its own network world (server, client and Internet hosts)')
  .addOption(labOption('lab file declaring the roles'))
  .option('--submission <dir>', 'play roles with the programs mapped in DIR/socklab.yaml')
  .addOption(listOption('--role <name=command>', 'play one role with COMMAND (repeatable), e.g. tcp-server="python3 TCPServer.py"', repeat, "the lab's reference programs"))
  .option('--sandbox', 'confine the --submission / --role programs with bubblewrap')
  .action(async (args: string[], options: EvidenceOptions) => {
    process.exitCode = await (await import('./commands/evidence-command.js')).evidenceCommand(args, options);
  });

remoteOptions(
  program
    .command('grade')
    .description('grade a submission folder, a whole class (--class), or the reference programs (--reference)')
  .argument('[submission]', 'a student submission folder')
  .option('--class <dir>', 'grade every sub-folder of DIR as one student, in parallel')
  .option('--reference', 'grade the reference programs (must score full marks)')
  .addOption(listOption('-s, --specs <path>', 'spec files or folders to grade with (repeatable)', repeat, defaultSpecs))
  .option('-g, --grep <regex>', 'only experiments whose id or title matches')
  .addOption(listOption('-t, --tag <tag>', 'only experiments with this tag (repeatable)', repeat, 'any tag'))
  .addOption(jobsOption('experiments run at once, across all students'))
  .option('-o, --out <dir>', 'report folder (one sub-folder per student with --class)', 'reports/grade')
  .option('--shard <i/n>', 'grade only the i-th of n slices of the students (or experiments)', shard)
  .addOption(listOption('-r, --reporter <names>', 'reporters per student, comma-separated', collect, `${defaultGradeReporters.join(',')}; no console with --class`))
  .option('--gradescope <file>', 'also write the Gradescope results.json here (e.g. /autograder/results/results.json)')
  .option('--isolate', "run every experiment in its own network world, also those without the students' programs")
  .option('--sandbox', 'require the filesystem sandbox (bubblewrap) for the students\' programs; default: use it where it works')
  .option('--no-sandbox', 'run the students\' programs unconfined (they can read and write any file socklab can)')
  .option('--all-experiments', 'include experiments tagged reference (they use flags only the reference programs have)')
  .option('--wait-timeouts', 'wait out every step\'s timeout, even once its programs all wait for input that nothing is going to send (by default such a step ends at once, as if timed out)')
  .addOption(labOption('lab file declaring the roles and languages')),
).action(async (submission: string | undefined, options: GradeOptions) => {
  process.exitCode = await (await import('./commands/grade-command.js')).gradeCommand(submission, options);
});

program
  .command('merge')
  .description('merge the per-student results of several grade shards into one grades.csv and class.html')
  .argument('<folders...>', 'report folders written by `socklab grade --class … --shard i/n`')
  .option('-o, --out <dir>', 'where to write grades.csv and class.html', 'reports/grade')
  .action(async (folders: string[], options: { out: string }) => {
    process.exitCode = (await import('./commands/merge-command.js')).mergeCommand(folders, options);
  });

program
  .command('gradescope-bundle')
  .description('build the Gradescope autograder zip: setup.sh and run_autograder at its root, socklab and the chosen specs beside them')
  .addOption(listOption('-s, --specs <path>', 'spec files or folders to grade with (repeatable)', repeat, defaultSpecs))
  .addOption(labOption('lab file declaring the roles and languages'))
  .option('-o, --out <file>', 'the zip to write', 'autograder.zip')
  .option('--no-browser', 'install no Chromium on Gradescope; browser experiments are then skipped')
  .action(async (options: GradescopeBundleOptions) => {
    process.exitCode = await (await import('./commands/gradescope-bundle-command.js')).gradescopeBundleCommand(options);
  });

program
  .command('init')
  .description("write a course folder: a copy of socklab's specs and lab file to edit, their JSON schemas, a README and a .gitignore")
  .argument('[dir]', 'the folder to write (made when missing)', '.')
  .option('--force', 'overwrite files that exist already')
  .action(async (dir: string, options: InitOptions) => {
    process.exitCode = (await import('./commands/init-command.js')).initCommand(dir, options);
  });

program
  .command('validate')
  .description('check spec files without running anything')
  .argument('[paths...]', 'spec files or folders')
  .addOption(labOption('lab file declaring the roles'))
  .action((args: string[], options: { lab: string }) => {
    const { experiments } = loadLabAndSpecs(args, options.lab);
    announceDefaults(args.length > 0, options.lab);
    process.stdout.write(`${experiments.length} experiment${experiments.length === 1 ? '' : 's'} valid\n`);
    process.exitCode = EXIT_CODES.passed;
  });

program
  .command('list')
  .description('list experiments: id, title, tags, file:line')
  .argument('[paths...]', 'spec files or folders')
  .addOption(labOption('lab file declaring the roles'))
  .action((args: string[], options: { lab: string }) => {
    const { experiments } = loadLabAndSpecs(args, options.lab);
    // stdout is the list itself (`socklab list | cut -f1`).
    announceDefaults(args.length > 0, options.lab, process.stderr);
    for (const experiment of experiments) {
      const where = `${path.relative(process.cwd(), experiment.location.file)}:${experiment.location.line}`;
      process.stdout.write(`${experiment.id}\t${experiment.title}\t[${experiment.tags.join(', ')}]\t${where}\n`);
    }
    process.exitCode = EXIT_CODES.passed;
  });

for (const command of [program, ...program.commands]) oneLineUsageErrors(command);

// No top-level await: the bundle is a CommonJS script (bin/socklab.js keeps V8's compiled code of it).
program.parseAsync(process.argv).catch((error: unknown) => {
  process.exitCode = reportFatal(error);
});

/**
 * A reader that stops early (`socklab list | head`) is not an error: what is left to print is
 * dropped and the command ends as it would have (a run still writes its reports). Node would
 * otherwise throw EPIPE from the next write, with a stack trace.
 */
function quietWhenReaderLeaves(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

/**
 * Commander's usage errors (unknown option, missing or invalid argument, unknown command) in one
 * line, like socklab's own: `socklab: unknown option '--gerp' (did you mean --grep?); see socklab run --help`.
 */
function oneLineUsageErrors(command: Command): void {
  const help = command === program ? 'socklab --help' : `socklab ${command.name()} --help`;
  command.configureOutput({
    outputError: (text, write) => {
      const problem = text
        .trim()
        .replace(/^error: /, '')
        .replace(/\s*\n\s*/g, ' ')
        .replace(' is invalid. ', ' is invalid: ')
        .replace('(Did you mean', '(did you mean');
      write(`socklab: ${problem}; see ${help}\n`);
    },
  });
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
  // Commander has already printed its message (or the help). It exits 0 for --help, `help` and
  // --version; anything else it stops on is a wrong command line, `socklab` without a command included.
  const commanderError = error as { code?: string; exitCode?: number };
  if (typeof commanderError.code === 'string' && commanderError.code.startsWith('commander.')) {
    return commanderError.exitCode === 0 ? EXIT_CODES.passed : EXIT_CODES.specInvalid;
  }
  process.stderr.write(`socklab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_CODES.harnessError;
}
