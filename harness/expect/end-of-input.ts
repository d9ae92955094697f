// An interactive client keeps prompting (`while True: input(...)` until the user types quit). At a
// terminal a person types a line, reads the reply, and presses Ctrl-D or Ctrl-C; the program then stops
// with an EOFError (or KeyboardInterrupt) at its input(). socklab closes stdin after the step's input,
// which is the same Ctrl-D. Such an ending is the end of input, not a crash: only a traceback made of
// nothing but that exception, raised where the program reads its input, counts.
import type { EndOfInput, ProcessResult } from '../model/result.js';

const PYTHON_TRACEBACK = 'Traceback (most recent call last):';
/** The last line of a Python traceback that ends at the end of input. */
const PYTHON_END = /^(EOFError|KeyboardInterrupt)\b.*$/;
/** Where a program reads a line of input: input(), raw_input(), sys.stdin.readline(). */
const READS_INPUT = /\b(input|raw_input|readline)\s*\(|sys\.stdin\b/;
const JAVA_END = /^Exception in thread "main" (java\.util\.NoSuchElementException)(: No line found)?\s*$/m;

/** How the program ended at the end of its input, or undefined when it ended any other way. */
export function endOfInput(result: Pick<ProcessResult, 'exitCode' | 'signal' | 'stderr' | 'timedOut' | 'killed' | 'spawnError'>): EndOfInput | undefined {
  if (result.timedOut || result.killed || result.spawnError) return undefined;
  const interrupted = result.signal === 'SIGINT' || result.exitCode === 130;
  if (result.exitCode !== 1 && !interrupted) return undefined;
  const stderr = result.stderr.trim();
  if (stderr.startsWith(PYTHON_TRACEBACK) && stderr.indexOf(PYTHON_TRACEBACK, 1) < 0) {
    const lines = stderr.split('\n');
    const end = PYTHON_END.exec(lines.at(-1)!.trim());
    // The innermost frame's source line: the last indented line that is not a caret marker.
    const at = lines.slice(0, -1).filter((line) => /^\s{4}\S/.test(line) && !/^\s*[\^~]+\s*$/.test(line)).at(-1)?.trim();
    if (end && at !== undefined && READS_INPUT.test(at)) return { exception: end[1], at };
    return undefined;
  }
  const java = JAVA_END.exec(stderr);
  if (java && stderr.startsWith('Exception in thread "main"') && /Scanner\.nextLine/.test(stderr)) return { exception: java[1], at: 'Scanner.nextLine()' };
  return undefined;
}
