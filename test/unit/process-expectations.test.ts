import { expect } from 'chai';
import type { ProcessResult } from '../../harness/model/result.js';
import { evaluateProcess } from '../../harness/expect/process-expectations.js';
import { matchText } from '../../harness/expect/text-matcher.js';
import { processResult as buildProcess } from '../support/result-builder.js';

function processResult(overrides: Partial<ProcessResult>): ProcessResult {
  return buildProcess({ cwd: '/', durationMs: 10, ...overrides });
}
const options = { ignoredOutput: [/Input lowercase sentence:\s*/g], timeoutMs: 2000 };
const verdicts = (results: Array<{ name: string; ok: boolean }>) => results.map(({ name, ok }) => `${name}=${ok}`);

describe('text matchers', () => {
  it('equals ignores one final newline and CRLF, nothing else', () => {
    expect(matchText('stdout', { equals: 'HELLO' }, 'HELLO\r\n')[0].ok).to.equal(true);
    expect(matchText('stdout', { equals: 'HELLO' }, 'HELLO \n')[0].ok).to.equal(false);
  });
  it('contains every listed text; notContains none; matches is multiline', () => {
    expect(verdicts(matchText('out', { contains: ['A', 'B'], notContains: 'Traceback', matches: '^B$' }, 'A\nB\n'))).to.deep.equal([
      'out.contains=true', 'out.contains=true', 'out.notContains=true', 'out.matches=true',
    ]);
    expect(matchText('out', { contains: 'C' }, 'A')[0]).to.include({ ok: false, message: '"C" not found', actual: '"A"' });
  });
});

describe('process expectations', () => {
  it('requires exit 0 implicitly when nothing else is said', () => {
    expect(verdicts(evaluateProcess({}, processResult({ exitCode: 2 }), options))).to.deep.equal(['exit (implicit)=false']);
  });

  it('error: needs the recognised error and (implicitly) a non-zero exit', () => {
    const refused = processResult({ exitCode: 1, error: { code: 'ECONNREFUSED', message: 'Connection refused' } });
    expect(verdicts(evaluateProcess({ error: 'ECONNREFUSED' }, refused, options))).to.deep.equal(['error=true', 'exit (implicit)=true']);
    const zero = processResult({ exitCode: 0, error: { code: 'ECONNREFUSED', message: 'Connection refused' } });
    expect(verdicts(evaluateProcess({ error: 'ECONNREFUSED' }, zero, options))).to.deep.equal(['error=true', 'exit (implicit)=false']);
    const other = processResult({ exitCode: 1, error: { code: 'ECONNRESET', message: 'reset' } });
    expect(evaluateProcess({ error: 'ECONNREFUSED' }, other, options)[0]).to.include({ ok: false, actual: 'ECONNRESET (reset)' });
  });

  it('silent: timed out with nothing printed but the prompt', () => {
    const waiting = processResult({ timedOut: true, exitCode: null, signal: 'SIGTERM', stdout: 'Input lowercase sentence: ' });
    expect(verdicts(evaluateProcess({ silent: true }, waiting, options))).to.deep.equal(['silent=true']);
    const replied = processResult({ timedOut: true, exitCode: null, stdout: 'Input lowercase sentence: HELLO' });
    expect(verdicts(evaluateProcess({ silent: true }, replied, options))).to.deep.equal(['silent=false']);
    const exited = processResult({ exitCode: 0 });
    expect(evaluateProcess({ silent: true }, exited, options)[0].ok).to.equal(false);
  });

  it('an unexpected timeout is one failure, not two', () => {
    const hung = processResult({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(verdicts(evaluateProcess({ stdout: { contains: 'X' } }, hung, options))).to.deep.equal(['timedOut=false', 'stdout.contains=false']);
  });

  it('exit accepts a code, a list, or nonzero; within bounds the duration', () => {
    expect(evaluateProcess({ exit: [0, 3] }, processResult({ exitCode: 3 }), options)[0].ok).to.equal(true);
    expect(evaluateProcess({ exit: 'nonzero' }, processResult({ exitCode: null, signal: 'SIGKILL' }), options)[0].ok).to.equal(false);
    expect(verdicts(evaluateProcess({ within: '5ms' }, processResult({ durationMs: 6 }), options))).to.deep.equal(['exit (implicit)=true', 'within=false']);
  });

  it('running: reports whether a stopped service had died on its own', () => {
    const died = processResult({ stillRunning: false, exitCode: 1 });
    expect(evaluateProcess({ running: true }, died, { ...options, implicitExit: false })[0]).to.include({ ok: false, actual: 'had exited on its own (exit code 1)' });
  });

  it('a program that could not start fails with the reason', () => {
    const missing = processResult({ spawnError: { code: 'ENOENT', message: 'program not found: x' }, exitCode: null });
    expect(evaluateProcess({ exit: 0 }, missing, options)).to.deep.equal([
      { name: 'start', ok: false, expected: 'the program starts', actual: 'program not found: x', message: 'program not found: x' },
    ]);
  });
});
