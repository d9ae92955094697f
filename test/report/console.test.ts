import { expect } from 'chai';
import { Writable } from 'node:stream';
import type { RunResult } from '../../harness/model/result.js';
import { ConsoleReporter, formatSummary, wantsColors } from '../../harness/report/console.js';
import type { RunBeginInfo } from '../../harness/model/reporter.js';
import { failedExperiment, makeRun } from './fixtures.js';

/** A stream that records what was written and can pretend to be a terminal. */
class CaptureStream extends Writable {
  text = '';
  constructor(readonly isTTY: boolean, readonly columns = 100) {
    super({ decodeStrings: false });
  }
  override _write(chunk: string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk;
    done();
  }
}

function runBeginInfo(run: RunResult): RunBeginInfo {
  const experiments = run.experiments.map(({ id, title, tags }) => ({ id, title, tags }));
  return { startedAt: run.startedAt, experiments, jobs: 2, subject: 'reference', outputDir: '/tmp/unused' };
}

/** Feeds a whole run through the reporter's hooks, as the runner would. */
function replay(reporter: ConsoleReporter, run: RunResult): void {
  reporter.onRunBegin(runBeginInfo(run));
  for (const experiment of run.experiments) {
    reporter.onExperimentBegin({ id: experiment.id, title: experiment.title });
    reporter.onExperimentEnd(experiment);
  }
  reporter.onRunEnd(run);
}

describe('ConsoleReporter', () => {
  describe('plain mode', () => {
    let lines: string[];
    let text: string;

    beforeEach(() => {
      const stream = new CaptureStream(false);
      replay(new ConsoleReporter({ outputDir: '/tmp/unused', stream }, {}), makeRun());
      text = stream.text;
      lines = text.split('\n');
    });

    it('prints the summary alone on its own line, in the format CI matches', () => {
      expect(lines).to.include('1 passed, 1 failed, 1 error, 1 skipped');
      expect(lines).to.include('score 3/9');
      expect(lines).to.include('duration 4.6 s');
    });

    it('writes no escape codes at all, even when program output holds some', () => {
      expect(text).to.not.include('\x1b');
      expect(text).to.include('warning: <b>&</b> \\x1b[31mboom');
    });

    it('prints one line per finished experiment', () => {
      expect(lines).to.include.members([
        '  ✓ tcp-echo-basic  Echo one line (123 ms)',
        '  ✗ tcp-echo-upper  Server upper-cases the line (2.3 s)',
        '  ! udp-ping  Ping reports loss (100 ms)',
        '  - smtp-send  Send one mail',
      ]);
    });

    it('details a failure: location, expectation, expected and actual, command and output tail', () => {
      const start = lines.indexOf('1) tcp-echo-upper  Server upper-cases the line');
      expect(start).to.be.greaterThan(lines.indexOf('1 passed, 1 failed, 1 error, 1 skipped'));
      expect(lines.slice(start + 1, start + 8)).to.deep.equal([
        '   specs/tcp-echo.yaml:20',
        '   step 2: run tcp-client 127.0.0.1 40123',
        '     stdout.contains: stdout does not contain "HELLO WORLD"  (specs/tcp-echo.yaml:27)',
        '       expected: HELLO WORLD',
        '       actual:',
        '         hello world',
        '         second line',
      ]);
      expect(lines).to.include.members(['     command: tcp-client 127.0.0.1 40123', '     stdout (last 20 of 25 lines):']);
      expect(lines).to.include('       line 25').and.include('       line 6').and.not.include('       line 5');
    });

    it('details a harness error with its code and message', () => {
      const start = lines.indexOf('2) udp-ping  Ping reports loss');
      expect(start).to.be.greaterThan(0);
      expect(lines[start + 2]).to.equal('   error ENOENT: udp-client: program not found');
      expect(lines).to.include('     ended: not started: ENOENT');
    });
  });

  it('in GitHub Actions, turns workflow commands off around the failure details (a program printing ::error stays text)', () => {
    const saved = process.env.GITHUB_ACTIONS;
    process.env.GITHUB_ACTIONS = 'true';
    try {
      const stream = new CaptureStream(false);
      new ConsoleReporter({ outputDir: '/tmp/unused', stream }, {}).onRunEnd(makeRun());
      const printed = stream.text.split('\n');
      const stop = printed.findIndex((line) => /^::stop-commands::socklab-[0-9a-f]{16}$/.test(line));
      const token = printed[stop]?.slice('::stop-commands::'.length);
      const resume = printed.indexOf(`::${token}::`);
      expect(stop, stream.text).to.be.greaterThan(0);
      expect(resume).to.be.greaterThan(stop);
      const details = printed.findIndex((line) => line.startsWith('1) '));
      expect(details).to.be.greaterThan(stop).and.lessThan(resume);
    } finally {
      if (saved === undefined) delete process.env.GITHUB_ACTIONS;
      else process.env.GITHUB_ACTIONS = saved;
    }
  });

  it('prints experiments that never reached onExperimentEnd, e.g. skipped before they began', () => {
    const stream = new CaptureStream(false);
    new ConsoleReporter({ outputDir: '/tmp/unused', stream }, {}).onRunEnd(makeRun());
    expect(stream.text).to.include('  - smtp-send  Send one mail\n').and.include('  ✓ tcp-echo-basic');
  });

  it("says which program played each role and why, and how a failed step's program was started", () => {
    const stream = new CaptureStream(false);
    const run = makeRun([failedExperiment]);
    const failed = run.experiments[0];
    const step = { ...failed.steps[1], process: { ...failed.steps[1].process!, command: ['python3', 'http_proxy.py', '0.0.0.0', '8888'], invocation: { convention: 'IP PORT', how: 'source' as const, source: { file: 'http_proxy.py', line: 10, text: 'PORT = int(sys.argv[2])' } } } };
    const submission = {
      folder: '/s/alice',
      student: 'alice',
      programs: { proxy: 'http_proxy.py' },
      missing: [],
      notes: [],
      found: [{ role: 'proxy', program: 'http_proxy.py', how: 'content' as const, why: 'a web proxy (listen, accept, connect, an HTTP request)', convention: { name: 'IP PORT', source: { file: 'http_proxy.py', line: 10, text: 'PORT = int(sys.argv[2])' } } }],
    };
    new ConsoleReporter({ outputDir: '/tmp/unused', stream }, {}).onRunEnd({ ...run, submission, experiments: [{ ...failed, steps: [failed.steps[0], step] }] });
    expect(stream.text).to.include('programs:\n  proxy: http_proxy.py (a web proxy (listen, accept, connect, an HTTP request); takes IP PORT, from http_proxy.py:10)\n');
    expect(stream.text).to.include('     command: python3 http_proxy.py 0.0.0.0 8888\n     started as: IP PORT convention, from http_proxy.py:10 (PORT = int(sys.argv[2]))\n');
  });

  it('stays plain on a terminal when asked for plain output', () => {
    const stream = new CaptureStream(true);
    replay(new ConsoleReporter({ outputDir: '/tmp/unused', stream, plain: true }, {}), makeRun());
    expect(stream.text).to.not.include('\x1b');
  });

  it('on a terminal, rewrites a status line in place and colors the marks', () => {
    const stream = new CaptureStream(true);
    const reporter = new ConsoleReporter({ outputDir: '/tmp/unused', stream }, {});
    const run = makeRun();
    reporter.onRunBegin(runBeginInfo(run));
    reporter.onExperimentBegin({ id: 'tcp-echo-basic', title: 'Echo one line' });
    reporter.onExperimentBegin({ id: 'tcp-echo-upper', title: 'Server upper-cases the line' });
    expect(stream.text).to.include('[0/4] running: tcp-echo-basic, tcp-echo-upper');
    reporter.onExperimentEnd(run.experiments[0]!);
    expect(stream.text).to.include('\r\x1b[2K').and.include('\x1b[32m✓\x1b[0m');
    expect(stream.text).to.include('[1/4] running: tcp-echo-upper');
  });

  it('on a terminal with NO_COLOR set, still rewrites the status line but uses no colors', () => {
    const stream = new CaptureStream(true);
    replay(new ConsoleReporter({ outputDir: '/tmp/unused', stream }, { NO_COLOR: '1' }), makeRun());
    expect(stream.text).to.include('\r\x1b[2K');
    expect(stream.text).to.not.match(/\x1b\[\d+m/);
  });

  it('in a pipe with FORCE_COLOR set, colors the lines but keeps no status line', () => {
    const stream = new CaptureStream(false);
    replay(new ConsoleReporter({ outputDir: '/tmp/unused', stream }, { FORCE_COLOR: '1' }), makeRun());
    expect(stream.text).to.include('\x1b[32m✓\x1b[0m').and.include('\x1b[31m1 passed, 1 failed, 1 error, 1 skipped\x1b[0m');
    expect(stream.text).to.not.include('\r').and.not.include('running:');
  });
});

describe('wantsColors (FORCE_COLOR, NO_COLOR, terminal)', () => {
  it('follows the terminal when neither is set, or when they are set but empty', () => {
    expect([wantsColors({}, true), wantsColors({}, false)]).to.deep.equal([true, false]);
    expect([wantsColors({ FORCE_COLOR: '', NO_COLOR: '' }, true), wantsColors({ FORCE_COLOR: '', NO_COLOR: '' }, false)]).to.deep.equal([true, false]);
  });

  it('turns colors off with NO_COLOR, whatever its value', () => {
    expect([wantsColors({ NO_COLOR: '1' }, true), wantsColors({ NO_COLOR: '0' }, true)]).to.deep.equal([false, false]);
  });

  it('turns colors on with FORCE_COLOR 1, 2, 3 or true, even without a terminal and over NO_COLOR; off with 0 or false', () => {
    for (const value of ['1', '2', '3', 'true']) expect(wantsColors({ FORCE_COLOR: value, NO_COLOR: '1' }, false), value).to.equal(true);
    for (const value of ['0', 'false', 'FALSE']) expect(wantsColors({ FORCE_COLOR: value }, true), value).to.equal(false);
  });
});

describe('formatSummary', () => {
  const zero = { total: 0, passed: 0, failed: 0, error: 0, skipped: 0, interrupted: 0 };

  it('always names passed and failed, even at zero', () => {
    expect(formatSummary({ ...zero, total: 12, passed: 12 })).to.equal('12 passed, 0 failed');
  });

  it('adds errors, skipped and interrupted only when non-zero, pluralising errors', () => {
    expect(formatSummary({ ...zero, total: 4, passed: 1, error: 2, interrupted: 1 })).to.equal('1 passed, 0 failed, 2 errors, 1 interrupted');
  });
});
