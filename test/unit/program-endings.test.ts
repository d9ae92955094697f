// How a program ended, read from its output as a person would: an interactive client stopped by the
// end of its input (EOFError at input()) is not a crash, and a program that refuses its arguments
// (a usage line, argparse's error, int() of an address) says so in a way socklab recognises.
import { expect } from 'chai';
import type { ProcessResult } from '../../harness/model/result.js';
import { endOfInput } from '../../harness/expect/end-of-input.js';
import { evaluateProcess } from '../../harness/expect/process-expectations.js';
import { argumentRefusal } from '../../harness/steps/shared/usage-error.js';
import { processResult as buildProcess } from '../support/result-builder.js';

const traceback = (file: string, line: number, source: string, exception: string) =>
  `Traceback (most recent call last):\n  File "/tmp/s/${file}", line ${line}, in <module>\n    ${source}\n    ${'^'.repeat(source.length)}\n${exception}\n`;
const interactive = traceback('TCPClient.py', 10, "sentence = input('Input lowercase sentence: ')", 'EOFError: EOF when reading a line');

function ended(overrides: Partial<ProcessResult>): ProcessResult {
  const result = buildProcess({ cwd: '/', durationMs: 10, exitCode: 1, ...overrides });
  const atEnd = endOfInput(result);
  return atEnd ? { ...result, endedAtEndOfInput: atEnd } : result;
}

describe('the end of input', () => {
  it('an EOFError at input() after the reply ends the program; the exit check passes and says so', () => {
    const result = ended({ stdout: 'Input lowercase sentence: From Server: HELLO\nInput lowercase sentence: ', stderr: interactive });
    expect(result.endedAtEndOfInput).to.deep.equal({ exception: 'EOFError', at: "sentence = input('Input lowercase sentence: ')" });
    const [exit, stdout] = evaluateProcess({ exit: 0, stdout: { contains: 'HELLO' } }, result, { ignoredOutput: [], timeoutMs: 1000 });
    expect(exit).to.include({ name: 'exit', ok: true, actual: "ended at end of input (EOFError at sentence = input('Input lowercase sentence: '), exit code 1)" });
    expect(stdout.ok).to.equal(true);
    // Its output is still judged: the wrong reply fails on its own.
    expect(evaluateProcess({ stdout: { contains: 'BYE' } }, result, { ignoredOutput: [], timeoutMs: 1000 }).map((check) => check.ok)).to.deep.equal([true, false]);
  });

  it('KeyboardInterrupt at input() (Ctrl-C), and Java\'s Scanner at the end of its input', () => {
    expect(ended({ exitCode: null, signal: 'SIGINT', stderr: traceback('c.py', 4, 'line = input()', 'KeyboardInterrupt') }).endedAtEndOfInput?.exception).to.equal('KeyboardInterrupt');
    const java = 'Exception in thread "main" java.util.NoSuchElementException: No line found\n\tat java.base/java.util.Scanner.nextLine(Scanner.java:1660)\n\tat TCPClient.main(TCPClient.java:9)\n';
    expect(ended({ stderr: java }).endedAtEndOfInput).to.deep.equal({ exception: 'java.util.NoSuchElementException', at: 'Scanner.nextLine()' });
  });

  it('a real crash stays a crash', () => {
    const crashes = [
      traceback('TCPClient.py', 12, 'modifiedSentence = clientSocket.recv(1024)', 'ConnectionResetError: [Errno 104] Connection reset by peer'),
      traceback('cache.py', 3, 'data = pickle.load(f)', 'EOFError: Ran out of input'),
      `${traceback('c.py', 4, 'line = input()', 'EOFError')}\nDuring handling of the above exception, another exception occurred:\n\n${traceback('c.py', 6, 'sock.send(x)', 'BrokenPipeError: [Errno 32] Broken pipe')}`,
    ];
    for (const stderr of crashes) {
      const result = ended({ stderr });
      expect(result.endedAtEndOfInput, stderr).to.equal(undefined);
      expect(evaluateProcess({}, result, { ignoredOutput: [], timeoutMs: 1000 })[0]).to.include({ ok: false, actual: 'exit code 1' });
    }
    expect(ended({ stderr: interactive, timedOut: true }).endedAtEndOfInput).to.equal(undefined);
    expect(ended({ stderr: interactive, exitCode: 2 }).endedAtEndOfInput).to.equal(undefined);
  });
});

describe('a refusal of the arguments', () => {
  const program = (exitCode: number | null, stdout: string, stderr: string) => ({
    exitInfo: { exitCode, signal: null },
    stdout: { text: () => stdout },
    stderr: { text: () => stderr },
  });
  const refusal = (exitCode: number | null, stdout: string, stderr: string) => argumentRefusal(program(exitCode, stdout, stderr) as unknown as Parameters<typeof argumentRefusal>[0]);

  it('argparse, a usage line, int() of an address, a missing argv entry, Java', () => {
    expect(refusal(2, '', 'usage: web.py [-h] [--port PORT]\nweb.py: error: unrecognized arguments: 41701\n')).to.equal('web.py: error: unrecognized arguments: 41701');
    expect(refusal(1, 'usage: tcp.py server PORT | tcp.py client HOST PORT\n', '')).to.equal('usage: tcp.py server PORT | tcp.py client HOST PORT');
    expect(refusal(1, '', traceback('UDPClient.py', 6, 'serverPort = int(sys.argv[1])', "ValueError: invalid literal for int() with base 10: '192.0.2.1'"))).to.equal(
      "ValueError: invalid literal for int() with base 10: '192.0.2.1' at serverPort = int(sys.argv[1])",
    );
    expect(refusal(1, '', traceback('p.py', 3, 'port = int(argv[2])', 'IndexError: list index out of range'))).to.equal('IndexError: list index out of range at port = int(argv[2])');
    expect(refusal(1, '', 'Exception in thread "main" java.lang.ArrayIndexOutOfBoundsException: Index 1 out of bounds for length 1\n\tat S.main(S.java:5)\n')).to.match(/^Exception in thread "main" java\.lang\.ArrayIndexOutOfBoundsException/);
  });

  it('anything else is not about the arguments', () => {
    expect(refusal(0, 'usage: x\n', '')).to.equal(null);
    expect(refusal(1, '', traceback('p.py', 9, 'data = items[3]', 'IndexError: list index out of range'))).to.equal(null);
    expect(refusal(1, '', traceback('p.py', 9, 'clientSocket.connect((serverName, serverPort))', 'ConnectionRefusedError: [Errno 111] Connection refused'))).to.equal(null);
  });
});
