// The JUnit reporter: junit.xml for CI test tabs and for graders' tools. One <testsuite> per spec file,
// one <testcase> per experiment. A failed expectation is a <failure>; a harness fault is an <error>,
// so "the program is wrong" and "the harness could not check it" stay apart in CI.
//
// The document is valid against junit-10.xsd, the schema of Jenkins' xunit plugin (a copy is in
// test/fixtures/junit-xsd/), which skips a whole file that is not. So only attributes and elements
// it allows: no skipped/timestamp on <testsuites>, no file/line or <properties> on <testcase>. Where
// an experiment is: the spec file in <testsuite file="…">, `file:line` in the failure text.
import os from 'node:os';
import path from 'node:path';
import type { ExperimentResult, ExpectationResult, RunResult } from '../model/result.js';
import type { Reporter, ReporterOptions } from '../model/reporter.js';
import {
  describeExit,
  describeInvocation,
  detailLines,
  failuresOutsideSteps,
  worldLines,
  formatCommand,
  isObserved,
  isOwnStepError,
  labelledValue,
  notObservableLines,
  notObservableOf,
  remoteLine,
  skipReasonOf,
  stepProblems,
  stepTitle,
} from './result-text.js';
import { errorMessage, failureMessage } from './junit-message.js';
import { writeFileAtomic } from './write-atomic.js';
import { escapeXmlText, xmlAttributes } from './xml-escape.js';

export const junitFileName = 'junit.xml';

export class JunitReporter implements Reporter {
  readonly name = 'junit';
  private readonly outputDir: string;

  constructor(options: ReporterOptions) {
    this.outputDir = options.outputDir;
  }

  async onRunEnd(result: RunResult): Promise<void> {
    await writeFileAtomic(path.join(this.outputDir, junitFileName), renderJunit(result));
  }
}

/** What renderJunit takes from its surroundings; parameters so that tests get byte-stable output. */
export interface JunitContext {
  hostname: string;
  /** Spec file paths under this folder are written relative to it (the folder socklab was started in). */
  workingDir: string;
}

/** The whole document. */
export function renderJunit(result: RunResult, context: JunitContext = { hostname: os.hostname(), workingDir: process.cwd() }): string {
  const { counts } = result;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  // junit-10.xsd allows no skipped count and no timestamp here; each <testsuite> has both.
  lines.push(
    `<testsuites${xmlAttributes({
      name: 'socklab',
      tests: counts.total,
      failures: counts.failed,
      errors: counts.error,
      time: seconds(result.durationMs),
    })}>`,
  );
  const where = (file: string) => relativeTo(context.workingDir, file);
  for (const [file, experiments] of groupByFile(result.experiments)) {
    lines.push(...renderSuite(where(file), experiments, { ...context, runStart: result.startedAt, where }));
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

interface SuiteContext extends JunitContext {
  runStart: string;
  /** A spec file path as the report shows it. */
  where: (file: string) => string;
}

function renderSuite(file: string, experiments: ExperimentResult[], context: SuiteContext): string[] {
  const count = (...statuses: string[]) => experiments.filter((e) => statuses.includes(e.status)).length;
  const sum = (pick: (e: ExperimentResult) => number) => experiments.reduce((total, e) => total + pick(e), 0);
  const attributes = xmlAttributes({
    name: file,
    tests: experiments.length,
    failures: count('failed'),
    errors: count('error'),
    // JUnit has no "interrupted"; CI tools count those as not run, i.e. skipped.
    skipped: count('skipped', 'interrupted'),
    time: seconds(sum((e) => e.durationMs)),
    timestamp: experiments[0]?.startedAt || context.runStart,
    hostname: context.hostname,
    file,
  });
  // <testcase> may not hold <properties>: each experiment's points, score and deployment are the
  // suite's, by id, and the checks it could not make (not observable with --remote) are said there too.
  const properties = {
    points: sum((e) => e.points),
    score: sum((e) => e.score),
    ...Object.fromEntries(
      experiments.flatMap((e) => [
        [`${e.id}.points`, e.points],
        [`${e.id}.score`, e.score],
        ...(e.deployment ? [[`${e.id}.deployment`, e.deployment.summary]] : []),
        ...(notObservableOf(e).length ? [[`${e.id}.notObservable`, notObservableOf(e).map(({ step, entry }) => `step ${step.index + 1} ${entry.name}`).join(', ') + ': not observable with --remote, neither passed nor failed']] : []),
      ]),
    ),
  };
  return [
    `  <testsuite${attributes}>`,
    ...renderProperties(properties, '    '),
    ...experiments.flatMap((experiment) => renderTestcase(experiment, context)),
    '  </testsuite>',
  ];
}

function renderTestcase(experiment: ExperimentResult, context: SuiteContext): string[] {
  const { file } = experiment.location;
  const attributes = xmlAttributes({
    name: `${experiment.id}: ${experiment.title}`,
    classname: experiment.tags[0] ?? path.basename(file, path.extname(file)),
    time: seconds(experiment.durationMs),
  });
  const body = [...renderOutcome(experiment, context), ...renderOutput(experiment, 'stdout'), ...renderOutput(experiment, 'stderr')];
  return body.length === 0 ? [`    <testcase${attributes}/>`] : [`    <testcase${attributes}>`, ...body, '    </testcase>'];
}

function renderOutcome(experiment: ExperimentResult, context: SuiteContext): string[] {
  switch (experiment.status) {
    case 'passed':
      return [];
    case 'failed': {
      const attributes = xmlAttributes({ message: failureMessage(experiment), type: 'expectation' });
      return [`      <failure${attributes}>${escapeXmlText(problemText(experiment, context.where))}</failure>`];
    }
    case 'error': {
      const attributes = xmlAttributes(errorMessage(experiment));
      return [`      <error${attributes}>${escapeXmlText(problemText(experiment, context.where))}</error>`];
    }
    case 'skipped':
      return [`      <skipped${xmlAttributes({ message: skipReasonOf(experiment) ?? 'skipped' })}/>`];
    case 'interrupted':
      return [`      <skipped${xmlAttributes({ message: 'interrupted' })}/>`];
  }
}

/**
 * The body of <failure>/<error>: where the experiment is, then each problem step with its failed
 * expectations and fault. Commands are shown as they ran (in the step's own folder), paths and all.
 */
function problemText(experiment: ExperimentResult, where: (file: string) => string): string {
  const lines = [`${experiment.id} (${where(experiment.location.file)}:${experiment.location.line})`];
  if (experiment.deployment) lines.push(`deployed: ${experiment.deployment.summary}`);
  if (experiment.error) lines.push(`${experiment.error.code}: ${experiment.error.message}`);
  for (const { step, failedExpectations } of stepProblems(experiment)) {
    lines.push(stepTitle(step));
    if (isOwnStepError(step, experiment)) lines.push(`  ${step.error.code}: ${step.error.message}`);
    for (const expectation of failedExpectations) lines.push(...expectationLines(expectation, where));
    if (step.details) lines.push(...detailLines(step.details).map((line) => `  ${line}`));
    if (step.world) lines.push(...worldLines(step.world).map((line) => `  ${line}`));
    if (step.status === 'failed') lines.push(...step.notes.flatMap((note) => note.split('\n')).map((line) => `  ${line}`));
    // The command lets the reader rerun the step by hand; system-out has what it printed.
    if (step.process && isObserved(step.process)) lines.push(`  command: ${formatCommand(step.process.command)} (${describeExit(step.process)})`);
    const remote = step.process ? remoteLine(step.process) : null;
    if (remote) lines.push(`  ran ${remote}`);
    if (step.process?.invocation) lines.push(`  started as: ${describeInvocation(step.process.invocation)}`);
  }
  for (const expectation of failuresOutsideSteps(experiment)) lines.push(...expectationLines(expectation, where));
  const unseen = notObservableLines(experiment);
  if (unseen.length) lines.push('not observable with --remote:', ...unseen.map((line) => `  ${line}`));
  for (const feedback of experiment.feedback ?? []) lines.push(`hint (${feedback.code}): ${feedback.message}`);
  return lines.join('\n') + '\n';
}

function expectationLines(expectation: ExpectationResult, where: (file: string) => string): string[] {
  const location = expectation.location ? ` (${where(expectation.location.file)}:${expectation.location.line})` : '';
  return [
    `  ${expectation.name}${location}`,
    ...labelledValue('expected:', expectation.expected, '    '),
    ...labelledValue('actual:', expectation.actual, '    '),
  ];
}

/** Each step's output under a header naming the step and how it ended; steps that wrote nothing are left out. */
function renderOutput(experiment: ExperimentResult, stream: 'stdout' | 'stderr'): string[] {
  const sections: string[] = [];
  // A passed experiment's hints (a hard-coded port socklab worked around) have no <failure> to go in.
  if (stream === 'stdout' && experiment.status !== 'failed' && experiment.status !== 'error' && experiment.feedback?.length) {
    sections.push(`--- hints ---\n${experiment.feedback.map((feedback) => `hint (${feedback.code}): ${feedback.message}\n`).join('')}`);
  }
  for (const step of experiment.steps) {
    const process = step.process;
    const text = process?.[stream] ?? '';
    if (!process || text === '') continue;
    sections.push(`--- ${stepTitle(step)} (${describeExit(process)}) ---\n${text}${text.endsWith('\n') ? '' : '\n'}`);
    const truncated = stream === 'stdout' ? process.stdoutTruncated : process.stderrTruncated;
    const bytes = stream === 'stdout' ? process.stdoutBytes : process.stderrBytes;
    if (truncated) sections.push(`[${stream} truncated by the harness; ${bytes} bytes in all]\n`);
  }
  const element = stream === 'stdout' ? 'system-out' : 'system-err';
  return sections.length === 0 ? [] : [`      <${element}>${escapeXmlText(sections.join(''))}</${element}>`];
}

function renderProperties(properties: Record<string, number | string>, indent: string): string[] {
  const rows = Object.entries(properties).map(([name, value]) => `${indent}  <property${xmlAttributes({ name, value })}/>`);
  return [`${indent}<properties>`, ...rows, `${indent}</properties>`];
}

function groupByFile(experiments: ExperimentResult[]): Map<string, ExperimentResult[]> {
  const groups = new Map<string, ExperimentResult[]>();
  for (const experiment of experiments) {
    const group = groups.get(experiment.location.file) ?? [];
    if (group.length === 0) groups.set(experiment.location.file, group);
    group.push(experiment);
  }
  return groups;
}

/** `file` relative to `folder` when it lies inside it (CI shows paths of the checkout), else unchanged. */
function relativeTo(folder: string, file: string): string {
  const relative = path.relative(folder, path.resolve(folder, file));
  return relative !== '' && !relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative) ? relative : file;
}

/** JUnit times are seconds; three decimals keep millisecond precision without float noise. */
function seconds(durationMs: number): string {
  return (durationMs / 1000).toFixed(3);
}
