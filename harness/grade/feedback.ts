// Feedback for a graded experiment: the diagnosis rules read the evidence (outputs, exits, which
// server was listening where), with what the static checks read in the student's files, and name the
// likely mistake in the student's own file.
import type { ExperimentResult } from '../model/result.js';
import { diagnose } from './diagnose.js';
import { analysisOf, findingsOf, type StaticAnalysis } from './static-checks.js';

/** What grading knows of a submission's programs, besides the run. */
export interface SubmissionPrograms {
  /** Each role's program: its file, or its command from socklab.yaml. */
  files: Record<string, string>;
  analysis?: StaticAnalysis;
  /** Variables socklab set for a role's program (environmentFor). */
  supplied?: Record<string, string[]>;
}

export function feedbackFor(result: ExperimentResult, programs: SubmissionPrograms): Array<{ code: string; message: string }> {
  // Only the programs this experiment judges can be blamed: the others were reference partners.
  const roles = result.judged ?? Object.keys(programs.files);
  const context = roles.map((role) => ({
    role,
    programFile: programs.files[role],
    source: analysisOf(programs.analysis, programs.files[role]),
    suppliedEnvironment: programs.supplied?.[role] ?? [],
  }));
  return diagnose(result, context).map(({ code, message }) => ({ code, message }));
}

/**
 * Variables a role's program reads with no default (os.environ['GMAIL_USER']), each with a test value:
 * a grader exports them before running the program, and socklab's mail server accepts any login.
 */
export function environmentFor(programs: SubmissionPrograms, role: string): Record<string, string> {
  const reads = findingsOf(analysisOf(programs.analysis, programs.files[role]), 'env-read').filter((finding) => !finding.hasDefault);
  return Object.fromEntries(reads.map((finding) => [String(finding.value), testValue(String(finding.value))]));
}

function testValue(name: string): string {
  if (/pass|secret|token|key/i.test(name)) return 'socklab-test-password';
  if (/user|login|mail|from|sender|addr|account/i.test(name)) return 'student@example.com';
  if (/port/i.test(name)) return '25';
  if (/host|server/i.test(name)) return 'localhost';
  return 'socklab-test';
}
