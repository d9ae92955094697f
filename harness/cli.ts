// The socklab command line. Exit codes: 0 all passed (run) / graded (grade), 1 some failed,
// 2 invalid spec or usage, 3 harness error, 130 interrupted.
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { EXIT_CODES, SocklabError } from './errors.js';
import { SpecInvalidError } from './spec/spec-invalid-error.js';
import { defaultReporterNames, reporterNames } from './report/registry.js';
import { defaultLabFile, loadLabAndSpecs, version } from './commands/common.js';
import { runCommand, type RunOptions } from './commands/run-command.js';
import { gradeCommand, type GradeOptions } from './commands/grade-command.js';
import { mergeCommand } from './commands/merge-command.js';
import { gradescopeBundleCommand, type GradescopeBundleOptions } from './commands/gradescope-bundle-command.js';

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)];
const repeat = (value: string, previous: string[]) => [...previous, value];
const positiveInteger = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return parsed;
};
const shard = (value: string) => {
  if (!/^\d+\/\d+$/.test(value)) throw new InvalidArgumentError('expected i/n, e.g. 2/5');
  return value;
};

const program = new Command('socklab')
  .description('Declarative test harness and grading runner for the socket-programming lab')
  .version(version)
  .showHelpAfterError()
  .exitOverride();

program
  .command('run')
  .description('run experiments (default: everything in specs/ against the reference services)')
  .argument('[paths-or-ids...]', 'spec files, folders, or experiment ids')
  .option('-g, --grep <regex>', 'only experiments whose id or title matches')
  .option('-t, --tag <tag>', 'only experiments with this tag (repeatable)', repeat, [])
  .option('-j, --jobs <n>', 'experiments run at once', positiveInteger, os.availableParallelism())
  .option('-r, --reporter <names>', `reporters, comma-separated: ${reporterNames.join(', ')} (default: ${defaultReporterNames.join(',')})`, collect, [])
  .option('-o, --out <dir>', 'report folder', 'reports')
  .option('--capture', 'capture packets of every experiment (tcpdump), not only those with capture:')
  .option('--isolate', 'run every experiment in its own network world (server, client and Internet hosts); needs root and iproute2. --submission and --role programs always get one')
  .option('--shard <i/n>', 'run only the i-th of n slices of the experiments (CI matrix)', shard)
  .option('--lab <file>', 'lab file declaring the roles', defaultLabFile)
  .option('--submission <dir>', 'play roles with the programs mapped in DIR/socklab.yaml')
  .option('--role <name=command>', 'play one role with COMMAND (repeatable), e.g. tcp-server="python3 TCPServer.py"', repeat, [])
  .option('--sandbox', 'confine the --submission / --role programs with bubblewrap: they see the system read-only, their own folder and a private /tmp')
  .action(async (args: string[], options: RunOptions) => {
    process.exitCode = await runCommand(args, options);
  });

program
  .command('grade')
  .description('grade a submission folder, a whole class (--class), or the reference programs (--reference)')
  .argument('[submission]', 'a student submission folder')
  .option('--class <dir>', 'grade every sub-folder of DIR as one student, in parallel')
  .option('--reference', 'grade the reference programs (must score full marks)')
  .option('-s, --specs <path>', 'spec files or folders to grade with (repeatable; default specs/)', repeat, [])
  .option('-g, --grep <regex>', 'only experiments whose id or title matches')
  .option('-t, --tag <tag>', 'only experiments with this tag (repeatable)', repeat, [])
  .option('-j, --jobs <n>', 'experiments run at once, across all students', positiveInteger, os.availableParallelism())
  .option('-o, --out <dir>', 'report folder (one sub-folder per student with --class)', 'reports/grade')
  .option('--shard <i/n>', 'grade only the i-th of n slices of the students (or experiments)', shard)
  .option('-r, --reporter <names>', 'reporters per student, comma-separated (default: console,json,junit,html,gradescope; no console with --class)', collect, [])
  .option('--gradescope <file>', 'also write the Gradescope results.json here (e.g. /autograder/results/results.json)')
  .option('--isolate', "run every experiment in its own network world, also those without the students' programs")
  .option('--sandbox', 'require the filesystem sandbox (bubblewrap) for the students\' programs; default: use it where it works')
  .option('--no-sandbox', 'run the students\' programs unconfined (they can read and write any file socklab can)')
  .option('--all-experiments', 'include experiments tagged reference (they use flags only the reference programs have)')
  .option('--lab <file>', 'lab file declaring the roles and languages', defaultLabFile)
  .action(async (submission: string | undefined, options: GradeOptions) => {
    process.exitCode = await gradeCommand(submission, options);
  });

program
  .command('merge')
  .description('merge the per-student results of several grade shards into one grades.csv and class.html')
  .argument('<folders...>', 'report folders written by `socklab grade --class … --shard i/n`')
  .option('-o, --out <dir>', 'where to write grades.csv and class.html', 'reports/grade')
  .action((folders: string[], options: { out: string }) => {
    process.exitCode = mergeCommand(folders, options);
  });

program
  .command('gradescope-bundle')
  .description('build the Gradescope autograder zip: setup.sh and run_autograder at its root, socklab and the chosen specs beside them')
  .option('-s, --specs <path>', 'spec files or folders to grade with (repeatable; default specs/)', repeat, [])
  .option('--lab <file>', 'lab file declaring the roles and languages', defaultLabFile)
  .option('-o, --out <file>', 'the zip to write', 'autograder.zip')
  .option('--no-browser', 'install no Chromium on Gradescope; browser experiments are then skipped')
  .action(async (options: GradescopeBundleOptions) => {
    process.exitCode = await gradescopeBundleCommand(options);
  });

program
  .command('validate')
  .description('check spec files without running anything')
  .argument('[paths...]', 'spec files or folders')
  .option('--lab <file>', 'lab file declaring the roles', defaultLabFile)
  .action((args: string[], options: { lab: string }) => {
    const { experiments } = loadLabAndSpecs(args, options.lab);
    process.stdout.write(`${experiments.length} experiment${experiments.length === 1 ? '' : 's'} valid\n`);
    process.exitCode = EXIT_CODES.passed;
  });

program
  .command('list')
  .description('list experiments: id, title, tags, file:line')
  .argument('[paths...]', 'spec files or folders')
  .option('--lab <file>', 'lab file declaring the roles', defaultLabFile)
  .action((args: string[], options: { lab: string }) => {
    const { experiments } = loadLabAndSpecs(args, options.lab);
    for (const experiment of experiments) {
      const where = `${path.relative(process.cwd(), experiment.location.file)}:${experiment.location.line}`;
      process.stdout.write(`${experiment.id}\t${experiment.title}\t[${experiment.tags.join(', ')}]\t${where}\n`);
    }
    process.exitCode = EXIT_CODES.passed;
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
  const commanderError = error as { code?: string };
  if (typeof commanderError.code === 'string' && commanderError.code.startsWith('commander.')) {
    const informational = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(commanderError.code);
    return informational ? EXIT_CODES.passed : EXIT_CODES.specInvalid;
  }
  process.stderr.write(`socklab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_CODES.harnessError;
}
