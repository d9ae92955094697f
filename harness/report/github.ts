// The GitHub Actions reporter (`--reporter github`): an error annotation at the spec's line for each
// failed or errored experiment (workflow commands on stdout, github/annotations.ts), and, when the
// step has a $GITHUB_STEP_SUMMARY, a Markdown job summary appended to it (github/job-summary.ts).
// Outside Actions it prints the same annotation lines, which are harmless text there.
//
// Its stdout carries workflow commands only, each escaped to stay on its line, so nothing a program
// printed can become a command. Other reporters on the same stdout are another matter: the runner
// reads every line of the step for commands (README "GitHub Actions and Classroom").
import { appendFile } from 'node:fs/promises';
import type { RunResult } from '../model/result.js';
import type { Reporter, ReporterOptions } from '../model/reporter.js';
import { renderAnnotations, type AnnotationContext } from './github/annotations.js';
import { renderJobSummary } from './github/job-summary.js';

/** The variables of a GitHub Actions step that this reporter reads. */
export interface GithubEnvironment {
  /** The file a step appends its job summary to; without it, no summary is written. */
  GITHUB_STEP_SUMMARY?: string;
  /** The checkout; annotation paths are relative to it so that GitHub can link them. */
  GITHUB_WORKSPACE?: string;
}

export class GithubReporter implements Reporter {
  readonly name = 'github';
  private readonly stream: NodeJS.WritableStream;
  private readonly summaryFile: string | undefined;
  private readonly context: AnnotationContext;

  constructor(options: ReporterOptions, environment: GithubEnvironment = process.env) {
    this.stream = options.stream ?? process.stdout;
    this.summaryFile = environment.GITHUB_STEP_SUMMARY || undefined;
    this.context = { workspace: environment.GITHUB_WORKSPACE || process.cwd() };
  }

  async onRunEnd(result: RunResult): Promise<void> {
    const { lines, leftOut } = renderAnnotations(result, this.context);
    // Annotations first: if the summary file cannot be written, they are not lost with it.
    if (lines.length) this.stream.write(`${lines.join('\n')}\n`);
    // Appended, never replaced: other steps and other runs in this step have their own summaries there.
    if (this.summaryFile) await appendFile(this.summaryFile, `\n${renderJobSummary(result, this.context, leftOut)}`, 'utf8');
  }
}
