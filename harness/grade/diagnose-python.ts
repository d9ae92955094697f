// Rules about a program that could not run as written: no program at all, Python 2 code run by
// python3, and the Python 2 habit of sending str where Python 3 sockets need bytes.
import path from 'node:path';
import type { ExperimentEvidence, ProgramRun } from './diagnose-evidence.js';
import { exceptionLine, framePlace, ownFrame, tracebackFrames } from './diagnose-evidence.js';
import type { Finding } from './diagnose-finding.js';

/** How python3 reacts to Python 2 code, and the name of the habit for the message. */
const PYTHON2_SIGNS: ReadonlyArray<{ pattern: RegExp; habit: string }> = [
  { pattern: /Missing parentheses in call to 'print'/, habit: 'print statement' },
  { pattern: /NameError: name 'raw_input' is not defined/, habit: 'raw_input' },
  { pattern: /Missing parentheses in call to 'exec'/, habit: 'exec statement' },
  { pattern: /NameError: name '(?:xrange|unicode|basestring|long|unichr)' is not defined/, habit: 'Python 2 built-ins' },
  { pattern: /SyntaxError: multiple exception types must be parenthesized/, habit: '"except Error, e:"' },
];

/**
 * Python 2 code run by python3: from what python3 said, or, when the run ended otherwise (an earlier
 * error hid it), from the static check that the file does not compile as Python 3 for a Python 2 habit.
 */
export function findPython2(evidence: ExperimentEvidence): Finding[] {
  return evidence.runs.flatMap((run) => {
    const source = evidence.sourceOf(run.role);
    const habits = python2Habits(run);
    const compiled = source?.python2 && source.syntaxError ? source : undefined;
    const crashed = run.process.exitCode !== null && run.process.exitCode !== 0;
    if (habits.length === 0 && !(compiled && crashed)) return [];
    const program = evidence.programName(run.role);
    const where = compiled?.syntaxError ? ` at ${path.basename(compiled.file)}:${compiled.syntaxError.line} (${compiled.syntaxError.text})` : '';
    const named = habits.length > 0 ? habits : [compiled!.python2!];
    return [
      {
        code: 'python2',
        role: run.role,
        steps: stepsOfRole(evidence, run.role),
        message: `${program} looks like Python 2 (${named.join(' / ')}${where}), so python3 stops at once${stoppedBy(run)}. Use python3 syntax: print(...), input(), and bytes on sockets (.encode() before sending, .decode() after receiving).`,
      },
    ];
  });
}

function stoppedBy(run: ProgramRun): string {
  const exception = exceptionLine(run.process.stderr);
  return exception ? ` with "${exception}"` : '';
}

/** Network errors a client reports when nothing answers: other rules say why (no server, a wrong port). */
const NETWORK_EXCEPTIONS = /^(ConnectionRefusedError|ConnectionResetError|BrokenPipeError|TimeoutError|socket\.timeout|timeout|socket\.gaierror|gaierror|OSError: \[Errno (101|104|110|111|113)\])/;

/**
 * A client that stopped with a traceback before doing its job (the handout's own
 * socket(socket.AF_INET, …) after "from socket import *" is an AttributeError): the exception and the
 * line, from the traceback. Services that crash are server-crashed (diagnose-servers.ts).
 */
export function findClientCrashes(evidence: ExperimentEvidence): Finding[] {
  return evidence.runs.flatMap((run) => {
    // Ended at the end of its input (EOFError at input()) is how an interactive client stops, no crash.
    if (run.step.kind !== 'run' || run.step.status !== 'failed' || run.process.exitCode === null || run.process.exitCode === 0 || run.process.endedAtEndOfInput) return [];
    const exception = exceptionLine(run.process.stderr);
    const frame = ownFrame(run.process.stderr);
    if (!exception || !frame || NETWORK_EXCEPTIONS.test(exception) || /^KeyboardInterrupt/.test(exception)) return [];
    return [
      {
        code: 'client-crashed',
        role: run.role,
        steps: [run.step.index],
        message: `${evidence.programName(run.role)} stopped at ${framePlace(frame)} with ${exception}, before it had done its job. Read the traceback from its last line up: the line it names is where to look.`,
      },
    ];
  });
}
function python2Habits(run: ProgramRun): string[] {
  const text = run.process.stderr;
  const habits = PYTHON2_SIGNS.filter((sign) => sign.pattern.test(text)).map((sign) => sign.habit);
  // Older pythons say only "invalid syntax": recognise the print statement from the quoted source line.
  if (habits.length === 0 && /SyntaxError: invalid syntax/.test(text) && tracebackFrames(text).some((frame) => /^print\s+[^\s(=]/.test(frame.source ?? ''))) {
    habits.push('print statement');
  }
  return habits;
}

/** `clientSocket.send(sentence)` with a str: Python 3 sockets carry bytes. */
export function findStrNotBytes(evidence: ExperimentEvidence): Finding[] {
  return evidence.runs.flatMap((run) => {
    const error = /TypeError: a bytes-like object is required, not 'str'/.exec(run.process.stderr);
    if (!error) return [];
    const frame = ownFrame(run.process.stderr);
    const where = frame ? ` at ${framePlace(frame)}` : '';
    return [
      {
        code: 'str-not-bytes',
        role: run.role,
        steps: [run.step.index],
        message: `${evidence.programName(run.role)} passed a str to a socket${where}: in Python 3 sockets send and receive bytes, so encode text before sending (sentence.encode()) and decode what you receive (reply.decode()).`,
      },
    ];
  });
}

export function findMissingPrograms(evidence: ExperimentEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const run of evidence.runs) {
    const spawn = run.process.spawnError;
    const cannotOpen = /can't open file '([^']+)': \[Errno 2\]/.exec(run.process.stderr);
    if (spawn && (spawn.code === 'ENOENT' || spawn.code === 'ENOPROGRAM')) {
      const what = spawn.code === 'ENOENT' ? `could not be started: ${run.process.command[0]} was not found (${spawn.message})` : `is missing: ${spawn.message}`;
      findings.push({ code: 'missing-program', role: run.role, steps: stepsOfRole(evidence, run.role), message: `The program for ${run.role} ${what}.` });
    } else if (cannotOpen) {
      findings.push({
        code: 'missing-program',
        role: run.role,
        steps: stepsOfRole(evidence, run.role),
        message: `There is no ${path.basename(cannotOpen[1])} for ${run.role}: python3 could not open the file. Check its name (capital letters count) and that it was submitted.`,
      });
    }
  }
  return findings;
}

/** Every step whose program plays `role`: one program that never runs explains all of them. */
function stepsOfRole(evidence: ExperimentEvidence, role: string): number[] {
  return evidence.runs.filter((run) => run.role === role).map((run) => run.step.index);
}
