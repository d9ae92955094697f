// The JUnit reporter: junit.xml for CI test tabs and for graders' tools. One <testsuite> per spec file,
// one <testcase> per experiment. A failed expectation is a <failure>; a harness fault is an <error>,
// so "the program is wrong" and "the harness could not check it" stay apart in CI.
import os from 'node:os';
import path from 'node:path';
import type { ExperimentResult, ExpectationResult, RunResult } from '../model/result.js';
import type { Reporter, ReporterOptions } from '../model/reporter.js';
import {
  describeExit,
  detailLines,
  failuresOutsideSteps,
  worldLines,
  formatCommand,
  harnessErrorOf,
  isOwnStepError,
  labelledValue,
  skipReasonOf,
  stepProblems,
  stepTitle,
} from './result-text.js';
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

/** The whole document. `hostname` is a parameter so that tests can produce byte-stable output. */
export function renderJunit(result: RunResult, hostname: string = os.hostname()): string {
  const { counts } = result;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuites${xmlAttributes({
      name: 'socklab',
      tests: counts.total,
      failures: counts.failed,
      errors: counts.error,
      // JUnit has no "interrupted"; CI tools count those as not run, i.e. skipped.
      skipped: counts.skipped + counts.interrupted,
      time: seconds(result.durationMs),
      timestamp: result.startedAt,
    })}>`,
  );
  for (const [file, experiments] of groupByFile(result.experiments)) {
    lines.push(...renderSuite(file, experiments, hostname, result.startedAt));
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

function renderSuite(file: string, experiments: ExperimentResult[], hostname: string, runStart: string): string[] {
  const count = (...statuses: string[]) => experiments.filter((e) => statuses.includes(e.status)).length;
  const sum = (pick: (e: ExperimentResult) => number) => experiments.reduce((total, e) => total + pick(e), 0);
  const attributes = xmlAttributes({
    name: file,
    tests: experiments.length,
    failures: count('failed'),
    errors: count('error'),
    skipped: count('skipped', 'interrupted'),
    time: seconds(sum((e) => e.durationMs)),
    timestamp: experiments[0]?.startedAt || runStart,
    hostname,
  });
  return [
    `  <testsuite${attributes}>`,
    ...renderProperties({ points: sum((e) => e.points), score: sum((e) => e.score) }, '    '),
    ...experiments.flatMap((experiment) => renderTestcase(experiment)),
    '  </testsuite>',
  ];
}

function renderTestcase(experiment: ExperimentResult): string[] {
  const { file, line } = experiment.location;
  const attributes = xmlAttributes({
    name: `${experiment.id}: ${experiment.title}`,
    classname: experiment.tags[0] ?? path.basename(file, path.extname(file)),
    time: seconds(experiment.durationMs),
    file,
    line,
  });
  const body = [
    ...renderProperties({ points: experiment.points, score: experiment.score }, '      '),
    ...renderOutcome(experiment),
    ...renderOutput(experiment, 'stdout'),
    ...renderOutput(experiment, 'stderr'),
  ];
  return [`    <testcase${attributes}>`, ...body, '    </testcase>'];
}

function renderOutcome(experiment: ExperimentResult): string[] {
  switch (experiment.status) {
    case 'passed':
      return [];
    case 'failed': {
      const failures = experiment.steps.flatMap((s) => s.expectations).filter((e) => !e.ok);
      const first = failures[0] ?? experiment.failures[0];
      const message = first ? `${first.name}: ${first.message || `expected ${first.expected}, got ${first.actual}`}` : 'failed';
      const attributes = xmlAttributes({ message, type: 'expectation' });
      return [`      <failure${attributes}>${escapeXmlText(problemText(experiment))}</failure>`];
    }
    case 'error': {
      const error = harnessErrorOf(experiment) ?? { code: 'ERROR', message: 'harness error' };
      const attributes = xmlAttributes({ message: error.message, type: error.code });
      return [`      <error${attributes}>${escapeXmlText(problemText(experiment))}</error>`];
    }
    case 'skipped':
      return [`      <skipped${xmlAttributes({ message: skipReasonOf(experiment) ?? 'skipped' })}/>`];
    case 'interrupted':
      return [`      <skipped${xmlAttributes({ message: 'interrupted' })}/>`];
  }
}

/** The body of <failure>/<error>: each problem step with its failed expectations and fault. */
function problemText(experiment: ExperimentResult): string {
  const lines: string[] = [];
  if (experiment.error) lines.push(`${experiment.error.code}: ${experiment.error.message}`);
  for (const { step, failedExpectations } of stepProblems(experiment)) {
    lines.push(stepTitle(step));
    if (isOwnStepError(step, experiment)) lines.push(`  ${step.error.code}: ${step.error.message}`);
    for (const expectation of failedExpectations) lines.push(...expectationLines(expectation));
    if (step.details) lines.push(...detailLines(step.details).map((line) => `  ${line}`));
    if (step.world) lines.push(...worldLines(step.world).map((line) => `  ${line}`));
    if (step.status === 'failed') lines.push(...step.notes.flatMap((note) => note.split('\n')).map((line) => `  ${line}`));
    // The command lets the reader rerun the step by hand; system-out has what it printed.
    if (step.process) lines.push(`  command: ${formatCommand(step.process.command)} (${describeExit(step.process)})`);
  }
  for (const expectation of failuresOutsideSteps(experiment)) lines.push(...expectationLines(expectation));
  return lines.join('\n') + '\n';
}

function expectationLines(expectation: ExpectationResult): string[] {
  const where = expectation.location ? ` (${expectation.location.file}:${expectation.location.line})` : '';
  return [
    `  ${expectation.name}${where}`,
    ...labelledValue('expected:', expectation.expected, '    '),
    ...labelledValue('actual:', expectation.actual, '    '),
  ];
}

/** Each step's output under a header naming the step and how it ended; steps that wrote nothing are left out. */
function renderOutput(experiment: ExperimentResult, stream: 'stdout' | 'stderr'): string[] {
  const sections: string[] = [];
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

function renderProperties(properties: Record<string, number>, indent: string): string[] {
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

/** JUnit times are seconds; three decimals keep millisecond precision without float noise. */
function seconds(durationMs: number): string {
  return (durationMs / 1000).toFixed(3);
}
