// The Gradescope reporter: the autograder's results.json format, one test per experiment, written as
// gradescope.json in the report folder and also where `gradescopeFile` says (grade --gradescope FILE).
// Test outputs are Markdown (`output_format: "md"`): verdict, hints, the input sent, expected against
// actual as a diff and the end of stderr (gradescope/test-output.ts).
//
// Scores agree with socklab's own totals (model/scoring.ts): a skipped experiment stays a visible test
// with its reason but scores 0 of max_score 0 and has no status (Gradescope has no "skipped"; "passed"
// would be untrue and "failed" would blame the student). A hidden experiment's test has visibility
// "hidden" and the top-level output, which students always see, says nothing of hidden results.
import path from 'node:path';
import type { ExperimentResult, RunResult } from '../model/result.js';
import type { Reporter, ReporterOptions } from '../model/reporter.js';
import { roundPoints as round } from '../model/scoring.js';
import { writeFileAtomic } from './write-atomic.js';
import { escapeMarkdown } from './gradescope/markdown.js';
import { testOutput } from './gradescope/test-output.js';
import { plural, programLines } from './result-text.js';

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

/** Gradescope's formats for `output` (we write Markdown) and its visibility levels. */
export type GradescopeFormat = 'text' | 'html' | 'simple_format' | 'md' | 'ansi';
export type GradescopeVisibility = 'hidden' | 'after_due_date' | 'after_published' | 'visible';

export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  /** Left out for a skipped experiment: it neither passed nor failed. */
  status?: 'passed' | 'failed';
  output: string;
  output_format: GradescopeFormat;
  visibility: GradescopeVisibility;
  tags: string[];
  /** socklab's own status (passed, failed, error, skipped, interrupted), for instructors' exports. */
  extra_data: { socklab_status: ExperimentResult['status'] };
}

export interface GradescopeResults {
  score: number;
  max_score: number;
  execution_time: number;
  output: string;
  output_format: GradescopeFormat;
  visibility: GradescopeVisibility;
  /** run_autograder's stdout is socklab's console, which details hidden experiments too: instructors only. */
  stdout_visibility: 'hidden';
  tests: GradescopeTest[];
}

export function toGradescope(run: RunResult): GradescopeResults {
  const tests = run.experiments.map((experiment, index) => toTest(experiment, index));
  // Every test's max_score is 0 for a skipped experiment, so their sum is socklab's maxScore.
  return {
    score: round(run.score),
    max_score: round(run.maxScore),
    execution_time: Math.round(run.durationMs / 1000),
    output: summary(run),
    output_format: 'md',
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests,
  };
}

function toTest(experiment: ExperimentResult, index: number): GradescopeTest {
  const skipped = experiment.status === 'skipped';
  return {
    name: `${experiment.id}: ${experiment.title}${skipped ? ' (skipped)' : ''}`,
    number: String(index + 1),
    score: skipped ? 0 : round(experiment.score),
    max_score: skipped ? 0 : round(experiment.points),
    ...(skipped ? {} : { status: experiment.status === 'passed' ? ('passed' as const) : ('failed' as const) }),
    output: testOutput(experiment),
    output_format: 'md',
    visibility: experiment.hidden ? 'hidden' : 'visible',
    tags: experiment.tags,
    extra_data: { socklab_status: experiment.status },
  };
}

/** The top-level output, which every student sees: counts of the visible experiments only, and which programs were found. */
function summary(run: RunResult): string {
  const visible = run.experiments.filter((experiment) => !experiment.hidden);
  const count = (status: ExperimentResult['status']) => visible.filter((experiment) => experiment.status === status).length;
  const counts = [`${count('passed')} passed`, `${count('failed')} failed`];
  if (count('error') + count('interrupted') > 0) counts.push(`${count('error') + count('interrupted')} not graded (a fault of the grading machine)`);
  if (count('skipped') > 0) counts.push(`${count('skipped')} skipped`);
  const lines = [`socklab ${run.tool.version}: ${plural(visible.length, 'experiment')} shown below: ${counts.join(', ')}.`];
  const hidden = run.experiments.length - visible.length;
  if (hidden > 0) lines.push(`${plural(hidden, 'hidden experiment')} ${hidden === 1 ? 'is' : 'are'} not shown here; those that ran count toward your score.`);
  if (count('skipped') > 0) lines.push('Skipped experiments could not run on this grading machine; they count for neither your score nor the maximum.');
  const programs = run.submission ? programLines(run.submission) : [];
  if (programs.length) lines.push(`Programs found: ${escapeMarkdown(programs.join(', '))}.`);
  if (run.submission?.missing.length) lines.push(`**No program found for:** ${escapeMarkdown(run.submission.missing.join(', '))}. Their experiments fail.`);
  return lines.join('\n\n');
}
