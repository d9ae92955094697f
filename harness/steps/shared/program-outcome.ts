// Turning a finished (or stopped) program into its ProcessResult, with network errors recognised.
import type { ProcessResult } from '../../model/result.js';
import type { Program } from '../../process/program.js';
import { detectNetworkError } from '../../expect/network-errors.js';
import { endOfInput } from '../../expect/end-of-input.js';

/** Stops whatever is left of the program's process group and returns its result. */
export async function finishProgram(program: Program, state: { stillRunning: boolean }): Promise<ProcessResult> {
  await program.stop();
  const result = program.result(state);
  if (!result.spawnError) result.error = detectNetworkError(`${result.stdout}\n${result.stderr}`);
  const ended = endOfInput(result);
  if (ended) result.endedAtEndOfInput = ended;
  return result;
}
