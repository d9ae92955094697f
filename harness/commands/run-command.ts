// `socklab run`: experiments against the reference services (or roles given on the command line).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { RoleTable } from '../lab/role-table.js';
import { EXIT_CODES, SocklabError } from '../errors.js';
import { selectExperiments } from '../run/select-experiments.js';
import { runSuite } from '../run/run-suite.js';
import { createReporters, defaultReporterNames } from '../report/registry.js';
import { ReporterMultiplexer } from '../report/multiplexer.js';
import { describeRemoteRoles, openRemoteRoles, type RemoteOptions } from './remote-deployment.js';
import { announceDefaults, checkReporterNames, defaults, prepareWorlds, announcePlatformGaps, chooseSandbox, specFolders, fixturesDir, loadLabAndSpecs, root, shardOf, splitPathsAndIds, version, withInterrupts } from './common.js';

export interface RunOptions extends RemoteOptions {
  lab: string;
  submission?: string;
  role: string[];
  grep?: string;
  tag: string[];
  jobs: number;
  reporter: string[];
  out: string;
  capture?: boolean;
  isolate?: boolean;
  shard?: string;
  /** Confine the programs of --submission / --role with the filesystem sandbox (off by default). */
  sandbox?: boolean;
  waitTimeouts?: boolean;
}

export async function runCommand(args: string[], options: RunOptions): Promise<number> {
  const reporterNames = options.reporter.length ? options.reporter : defaultReporterNames;
  checkReporterNames(reporterNames);
  const { paths, ids } = splitPathsAndIds(args);
  if (reporterNames.includes('console')) announceDefaults(paths.length > 0, options.lab);
  const { lab, experiments } = loadLabAndSpecs(paths, options.lab, ids);
  const roles = new RoleTable(lab);
  if (options.submission) roles.overrideFromSubmission(options.submission);
  // A --role program runs where socklab was started, like the same command typed there.
  for (const option of options.role) roles.overrideFromOption(option, process.cwd());
  const selected = shardOf(selectExperiments(experiments, { ids, grep: options.grep, tags: options.tag }), options.shard);
  if (selected.length === 0) throw new SocklabError('NOTHING_SELECTED', 'no experiment matches the given paths, ids, --grep, --tag and --shard', EXIT_CODES.specInvalid);
  announcePlatformGaps();
  const { sandbox, description } = chooseSandbox(options.sandbox, false, [path.resolve(options.out), ...specFolders(paths.length ? paths : [defaults.specs], options.lab)]);
  const outputDir = path.resolve(options.out);
  mkdirSync(outputDir, { recursive: true });
  const reporter = new ReporterMultiplexer(await createReporters(reporterNames, { outputDir }));
  const worlds = await prepareWorlds(options.isolate ? 'all' : options.submission || options.role.length ? 'submissions' : 'required');
  const remoteRoles = await openRemoteRoles(options, roles, { command: 'run' });
  if (reporterNames.includes('console')) for (const line of describeRemoteRoles(remoteRoles, roles.roleNames)) process.stdout.write(`${line}\n`);
  const result = await withInterrupts((signal, runTag) =>
    runSuite({
      experiments: selected,
      jobs: options.jobs,
      reporter,
      outputDir,
      subject: options.submission ? path.resolve(options.submission) : options.role.length ? 'custom roles' : 'reference',
      // In the sandbox, as in grading, each experiment works in its own copy of the submission's folder.
      environment: { roles, weights: lab.weights ?? {}, root, fixturesDir, outputDir, runTag, signal, captureAll: options.capture, waitOutTimeouts: options.waitTimeouts, sandbox, copyPerExperiment: sandbox && options.submission ? [path.resolve(options.submission)] : [], remoteRoles, ...worlds },
      toolVersion: version,
      sandboxDescription: description,
    }),
  ).finally(() => remoteRoles.close());
  if (result.status === 'interrupted') return EXIT_CODES.interrupted;
  if (result.status === 'error') return EXIT_CODES.harnessError;
  return result.status === 'passed' ? EXIT_CODES.passed : EXIT_CODES.failed;
}
