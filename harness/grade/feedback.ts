// Feedback for a graded experiment: the diagnosis rules read the evidence (outputs, exits, which
// server was listening where) and name the likely mistake in the student's own file.
import type { ExperimentResult } from '../model/result.js';
import { diagnose } from './diagnose.js';

export function feedbackFor(result: ExperimentResult, programFiles: Record<string, string>): Array<{ code: string; message: string }> {
  const context = Object.entries(programFiles).map(([role, programFile]) => ({ role, programFile }));
  return diagnose(result, context).map(({ code, message }) => ({ code, message }));
}
