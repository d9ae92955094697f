// Feedback for a graded experiment: the diagnosis rules read the evidence (outputs, exits, which
// server was listening where) and name the likely mistake in the student's own file.
import type { ExperimentResult } from '../model/result.js';
import { diagnose } from './diagnose.js';

export function feedbackFor(result: ExperimentResult, programFiles: Record<string, string>): Array<{ code: string; message: string }> {
  // Only the programs this experiment judges can be blamed: the others were reference partners.
  const roles = result.judged ?? Object.keys(programFiles);
  const context = roles.map((role) => ({ role, programFile: programFiles[role] }));
  return diagnose(result, context).map(({ code, message }) => ({ code, message }));
}
