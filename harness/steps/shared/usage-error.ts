// A program that refuses the arguments it was given says so at once, and in a few recognisable ways:
// a usage line, argparse's error, or int() failing on an argument (an address where it wanted a port,
// a missing argv entry). Only these count, so that a program's real failure is never retried as if
// it were a matter of arguments.
import type { Program } from '../../process/program.js';

const ARGPARSE_ERROR = /^.*error: (unrecognized arguments|the following arguments are required|argument \S+: (invalid|expected)).*$/m;
const USAGE_LINE = /^\s*usage:.*$/im;
/** A Python traceback's last line, when it is an IndexError or ValueError. */
const PYTHON_ARGUMENT_EXCEPTION = /^(IndexError|ValueError): .*$/m;
const JAVA_ARGUMENT_EXCEPTION = /^Exception in thread "main" java\.lang\.(ArrayIndexOutOfBoundsException|NumberFormatException)\b.*$/m;

/** How the program refused its arguments (the line that says so), or null when it ended some other way. */
export function argumentRefusal(program: Pick<Program, 'exitInfo' | 'stdout' | 'stderr'>): string | null {
  const code = program.exitInfo?.exitCode;
  if (code === undefined || code === null || code === 0) return null;
  const stderr = program.stderr.text();
  const output = `${program.stdout.text()}\n${stderr}`;
  const argparse = ARGPARSE_ERROR.exec(output);
  if (argparse) return argparse[0].trim();
  const traceback = stderr.lastIndexOf('Traceback (most recent call last):');
  if (traceback >= 0) {
    const tail = stderr.slice(traceback);
    const exception = [...tail.matchAll(new RegExp(PYTHON_ARGUMENT_EXCEPTION, 'gm'))].at(-1);
    // The failing line itself must read the command line (`int(sys.argv[1])`), not some other value.
    const frames = tail.split('\n').filter((line) => /^\s{4}\S/.test(line) && !/^\s*[\^~]+\s*$/.test(line));
    // (`args[2]` too: the name students give sys.argv once handed to a function).
    if (exception && /\b(argv|args)\s*\[/.test(frames.at(-1) ?? '')) return `${exception[0].trim()} at ${frames.at(-1)!.trim()}`;
    return null;
  }
  const java = JAVA_ARGUMENT_EXCEPTION.exec(stderr);
  if (java) return java[0].trim();
  const usage = USAGE_LINE.exec(output);
  return usage ? usage[0].trim() : null;
}
