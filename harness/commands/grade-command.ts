// `socklab grade`: one submission, or a whole class (one sub-folder per student) in parallel with
// bounded concurrency. Each student gets a fresh working copy, their own report folder (results.json,
// junit.xml, index.html, gradescope.json); a class run adds grades.csv and class.html.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { LabDefinition } from '../lab/lab-schema.js';
import { RoleTable } from '../lab/role-table.js';
import type { RunResult } from '../model/result.js';
import type { ExperimentSpec } from '../spec/spec-types.js';
import type { ExperimentEnvironment } from '../run/experiment-state.js';
import type { SandboxPolicy } from '../process/sandbox.js';
import { EXIT_CODES, SocklabError } from '../errors.js';
import { runSuite } from '../run/run-suite.js';
import { selectExperiments } from '../run/select-experiments.js';
import { Limiter } from '../run/limiter.js';
import { createReporters, defaultGradeReporters } from '../report/registry.js';
import { ReporterMultiplexer } from '../report/multiplexer.js';
import { writeFileAtomic } from '../report/write-atomic.js';
import { detectPrograms, foundProgram, missingReason } from '../grade/detect-programs.js';
import { makeWorkingCopy, prepareRoles, type PreparedRole } from '../grade/working-copy.js';
import { buildGradebook, gradebookCsv } from '../grade/gradebook.js';
import { renderClassReport } from '../grade/class-report.js';
import { environmentFor, feedbackFor, type SubmissionPrograms } from '../grade/feedback.js';
import { analyzeSubmission } from '../grade/static-checks.js';
import { isolateBlame } from '../grade/blame.js';
import { ClassProgress } from '../grade/class-progress.js';
import { describeRemoteRoles, openRemoteRoles, type RemoteOptions } from './remote-deployment.js';
import type { RemoteRoles } from '../remote/remote-roles.js';
import { announceDefaults, checkReporterNames, defaults, prepareWorlds, announcePlatformGaps, chooseSandbox, specFolders, fixturesDir, loadLabAndSpecs, root, shardOf, version, withInterrupts } from './common.js';

/** What `grade` writes for each student when no `--reporter` is given (a class shows its progress instead of each console). */

export interface GradeOptions extends RemoteOptions {
  lab: string;
  specs: string[];
  out: string;
  jobs: number;
  class?: string;
  reference?: boolean;
  shard?: string;
  gradescope?: string;
  /** Also run experiments tagged `reference` (they use flags only our reference programs have). */
  allExperiments?: boolean;
  grep?: string;
  tag: string[];
  /** Reporters per student (default: defaultGradeReporters, without the console for a class). */
  reporter: string[];
  isolate?: boolean;
  /** true: --sandbox (required), false: --no-sandbox, undefined: sandbox where bubblewrap works. */
  sandbox?: boolean;
  /** --wait-timeouts: never end a step early because its programs can only wait (stillness.ts). */
  waitTimeouts?: boolean;
}

interface Student {
  name: string;
  /** Submission folder, or null for the reference programs. */
  folder: string | null;
}

export async function gradeCommand(submission: string | undefined, options: GradeOptions): Promise<number> {
  const named = options.reporter.length ? options.reporter : defaultGradeReporters.filter((name) => !(options.class && name === 'console'));
  // --gradescope FILE asks for the gradescope reporter even when --reporter leaves it out.
  const reporters = options.gradescope && !named.includes('gradescope') ? [...named, 'gradescope'] : named;
  checkReporterNames(reporters);
  // A class shows its progress instead of each console; it goes to the same place.
  if (options.class || reporters.includes('console')) announceDefaults(options.specs.length > 0, options.lab);
  const { lab, experiments: all } = loadLabAndSpecs(options.specs, options.lab);
  const chosen = selectExperiments(all, { ids: [], grep: options.grep, tags: options.tag });
  const experiments = options.allExperiments ? chosen : chosen.filter((experiment) => !experiment.tags.includes('reference'));
  if (experiments.length === 0) throw new SocklabError('NOTHING_SELECTED', 'no experiment matches --specs, --grep and --tag', EXIT_CODES.specInvalid);
  const students = shardOf(studentsToGrade(submission, options), options.class ? options.shard : undefined);
  const selected = options.class ? experiments : shardOf(experiments, options.shard);
  announcePlatformGaps();
  const { sandbox, description: sandboxDescription } = chooseSandbox(options.sandbox, true, [path.resolve(options.out), ...specFolders(options.specs.length ? options.specs : [defaults.specs], options.lab), ...(options.class ? [options.class] : [])]);
  const outputDir = path.resolve(options.out);
  mkdirSync(outputDir, { recursive: true });
  const limiter = new Limiter(options.jobs);
  const worlds = await prepareWorlds(options.isolate ? 'all' : 'submissions');
  const progress = options.class ? new ClassProgress(students.length) : null;
  const remoteRoles = await openRemoteRoles(options, new RoleTable(lab), { command: 'grade' });
  for (const line of describeRemoteRoles(remoteRoles, Object.keys(lab.roles))) process.stderr.write(`${line}\n`);

  const runs = await withInterrupts((signal, runTag) =>
    Promise.all(
      students.map(async (student, index) => {
        const studentDir = options.class ? path.join(outputDir, safeName(student.name)) : outputDir;
        mkdirSync(studentDir, { recursive: true });
        const gradescopeFile = options.class ? undefined : options.gradescope;
        const run = await gradeStudent(student, selected, lab, { studentDir, limiter, signal, runTag: `${runTag}.s${index}`, jobs: options.jobs, reporters, gradescopeFile, worlds, sandbox, sandboxDescription, waitOutTimeouts: options.waitTimeouts, remoteRoles });
        progress?.studentDone(student.name, run);
        return { student: student.name, run, page: `${encodeURIComponent(path.basename(studentDir))}/index.html` };
      }),
    ),
  ).finally(() => remoteRoles.close());

  if (options.class) {
    const book = buildGradebook(runs);
    await writeFileAtomic(path.join(outputDir, 'grades.csv'), gradebookCsv(book));
    await writeFileAtomic(path.join(outputDir, 'class.html'), renderClassReport(book, `socklab class report: ${path.basename(path.resolve(options.class))}`));
    process.stdout.write(`wrote ${path.join(outputDir, 'grades.csv')} and class.html (${runs.length} students)\n`);
  }
  if (runs.some(({ run }) => run.status === 'interrupted')) return EXIT_CODES.interrupted;
  return runs.some(({ run }) => run.counts.error > 0) ? EXIT_CODES.harnessError : EXIT_CODES.passed;
}

function studentsToGrade(submission: string | undefined, options: GradeOptions): Student[] {
  if (options.reference) return [{ name: 'reference', folder: null }];
  if (options.class) {
    const classDir = path.resolve(options.class);
    const names = readdirSync(classDir)
      .filter((name) => !name.startsWith('.') && statSync(path.join(classDir, name)).isDirectory())
      .sort();
    if (names.length === 0) throw new SocklabError('EMPTY_CLASS', `no student folders in ${classDir}`, EXIT_CODES.specInvalid);
    return names.map((name) => ({ name, folder: path.join(classDir, name) }));
  }
  if (!submission) throw new SocklabError('NO_SUBMISSION', 'give a submission folder, --class DIR, or --reference', EXIT_CODES.specInvalid);
  const folder = path.resolve(submission);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new SocklabError('NO_SUBMISSION', `not a folder: ${submission}`, EXIT_CODES.specInvalid);
  return [{ name: path.basename(folder), folder }];
}

interface StudentRunOptions {
  studentDir: string;
  limiter: Limiter;
  signal: AbortSignal;
  runTag: string;
  jobs: number;
  reporters: readonly string[];
  /** Where the gradescope reporter also writes (grade --gradescope FILE). */
  gradescopeFile?: string;
  worlds: Pick<ExperimentEnvironment, 'worlds' | 'namespacesUnavailable' | 'interceptionUnavailable'>;
  waitOutTimeouts?: boolean;
  sandbox?: SandboxPolicy;
  sandboxDescription: string;
  remoteRoles: RemoteRoles;
}

async function gradeStudent(student: Student, experiments: ExperimentSpec[], lab: LabDefinition, options: StudentRunOptions): Promise<RunResult> {
  const roles = new RoleTable(lab);
  let copy: string | null = null;
  let submission: RunResult['submission'];
  const programFiles: Record<string, string> = {};
  const programs: SubmissionPrograms = { files: programFiles, supplied: {} };
  try {
    if (student.folder) {
      const detection = detectPrograms(student.folder, lab);
      // Once per submission, before anything runs: what the source shows (static-checks.ts).
      programs.analysis = await analyzeSubmission(student.folder);
      copy = await makeWorkingCopy(student.folder, student.name);
      const prepared = await prepareRoles(copy, detection.programs, lab, options.runTag, options.sandbox);
      for (const role of prepared) {
        const problem = role.problem ?? playProblem(roles, role);
        if (problem) roles.markUnavailable(role.role, problem);
      }
      for (const role of detection.missing) roles.markUnavailable(role, missingReason(role, lab));
      for (const program of detection.programs) programFiles[program.role] = program.file ?? String(program.command);
      const notes = [...detection.notes, ...(programs.analysis.unavailable ? [programs.analysis.unavailable] : [])];
      for (const role of Object.keys(programFiles)) {
        const env = environmentFor(programs, role);
        if (Object.keys(env).length === 0) continue;
        roles.supplyEnvironment(role, env);
        programs.supplied![role] = Object.keys(env);
        notes.push(`${role}: set ${Object.keys(env).join(', ')} (the program reads ${Object.keys(env).length > 1 ? 'them' : 'it'} from the environment)`);
      }
      submission = { folder: student.folder, student: student.name, programs: programFiles, missing: detection.missing, notes, found: detection.programs.map(foundProgram) };
    }
    const reporters = await createReporters(options.reporters, { outputDir: options.studentDir, gradescopeFile: options.gradescopeFile });
    return await runSuite({
      // Each program of the student judged with reference partners: a broken client never costs the server's points.
      experiments: student.folder ? isolateBlame(experiments, roles) : experiments,
      jobs: options.jobs,
      limiter: options.limiter,
      reporter: new ReporterMultiplexer(reporters),
      outputDir: options.studentDir,
      subject: student.folder ?? 'reference',
      // Each experiment works in its own copy of the working copy (plan/contain-experiment.ts).
      environment: { roles, weights: lab.weights ?? {}, root, fixturesDir, outputDir: options.studentDir, runTag: options.runTag, signal: options.signal, sandbox: options.sandbox, copyPerExperiment: copy ? [copy] : [], waitOutTimeouts: options.waitOutTimeouts, remoteRoles: options.remoteRoles, ...options.worlds },
      toolVersion: version,
      sandboxDescription: student.folder ? options.sandboxDescription : undefined,
      submission,
      annotate: (result) => {
        const feedback = feedbackFor(result, programs);
        return feedback.length ? { ...result, feedback } : result;
      },
    });
  } finally {
    if (copy) await rm(copy, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Plays the role with the prepared program; what makes that impossible (a socklab.yaml command with an unknown template) is the role's problem, not the class's. */
function playProblem(roles: RoleTable, role: PreparedRole): string | null {
  try {
    roles.override(role.role, role.command, role.cwd, { ...(role.conventions ? { conventions: role.conventions } : {}), ...(role.filesDir ? { filesDir: role.filesDir } : {}) });
    return null;
  } catch (error) {
    if (error instanceof SocklabError) return error.message;
    throw error;
  }
}

/** A student folder name made safe as a report folder name. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || 'student';
}
