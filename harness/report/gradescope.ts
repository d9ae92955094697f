// The Gradescope reporter: the autograder format (results.json under /autograder/results/), one test
// per experiment, with the failures and feedback as its output. Hidden experiments keep their score
// but are marked visibility "hidden". Written as gradescope.json in the report folder, and also where
// `gradescopeFile` says (grade --gradescope FILE).
import path from 'node:path';
import type { ExperimentResult, RunResult } from '../model/result.js';
import type { Reporter, ReporterOptions } from '../model/reporter.js';
import { roundPoints as round } from '../model/scoring.js';
import { writeFileAtomic } from './write-atomic.js';

export const gradescopeFileName = 'gradescope.json';

export class GradescopeReporter implements Reporter {
  readonly name = 'gradescope';
  private readonly files: string[];

  constructor(options: ReporterOptions) {
    this.files = [path.join(options.outputDir, gradescopeFileName), ...(options.gradescopeFile ? [path.resolve(options.gradescopeFile)] : [])];
  }

  async onRunEnd(result: RunResult): Promise<void> {
    const text = `${JSON.stringify(toGradescope(result), null, 2)}\n`;
    for (const file of this.files) await writeFileAtomic(file, text);
  }
}

export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  output_format: 'text';
  visibility: 'visible' | 'hidden';
  tags: string[];
}

export interface GradescopeResults {
  score: number;
  max_score: number;
  execution_time: number;
  output: string;
  output_format: 'text';
  visibility: 'visible';
  stdout_visibility: 'hidden';
  tests: GradescopeTest[];
}

export function toGradescope(run: RunResult): GradescopeResults {
  const tests = run.experiments.filter((experiment) => experiment.status !== 'skipped').map((experiment, index) => toTest(experiment, index));
  const missing = run.submission?.missing.length ? `\nNo program found for: ${run.submission.missing.join(', ')}.` : '';
  return {
    score: round(run.score),
    max_score: round(run.maxScore),
    execution_time: Math.round(run.durationMs / 1000),
    output: `socklab ${run.tool.version}: ${run.counts.passed} of ${tests.length} experiments passed.${missing}`,
    output_format: 'text',
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests,
  };
}

function toTest(experiment: ExperimentResult, index: number): GradescopeTest {
  const lines: string[] = [];
  if (experiment.status === 'error') lines.push(`Harness error (not your fault; please tell your instructor): ${experiment.error?.message ?? experiment.steps.find((step) => step.error)?.error?.message ?? ''}`);
  for (const failure of experiment.failures) lines.push(`✗ ${failure.message}`);
  for (const feedback of experiment.feedback ?? []) lines.push(`hint: ${feedback.message}`);
  if (experiment.status === 'passed') lines.push('✓ all expectations held');
  if (experiment.explain && experiment.status !== 'passed') lines.push('', experiment.explain.trim());
  return {
    name: `${experiment.id}: ${experiment.title}`,
    number: String(index + 1),
    score: round(experiment.score),
    max_score: round(experiment.points),
    status: experiment.status === 'passed' ? 'passed' : 'failed',
    output: lines.join('\n'),
    output_format: 'text',
    visibility: experiment.hidden ? 'hidden' : 'visible',
    tags: experiment.tags,
  };
}
