// Feedback for a graded experiment, read from the evidence by the diagnosis rules.
import type { ExperimentResult } from '../model/result.js';

export function feedbackFor(result: ExperimentResult, programFiles: Record<string, string>): Array<{ code: string; message: string }> {
  void programFiles;
  if (result.status === 'passed') return [];
  return [];
}
