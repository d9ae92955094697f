// A server that crashes on its third request: the crash is evidence when it happens (its exit and
// traceback in every report format), and the client after it fails at once instead of waiting out
// its timeout against nothing.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'world');

describe('a service that dies while serving (end to end)', function () {
  this.timeout(120_000);
  let temp: TempDir;
  let out: string;
  let run: RunResult;
  let console: string;

  before(async () => {
    temp = new TempDir();
    out = path.join(temp.path, 'out');
    const cli = await runCli(['grade', path.join(fixtures, 'server-crashes'), '-s', path.join(fixtures, 'specs', 'crash.yaml'), '-o', out], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    console = cli.stdout;
    run = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  });
  after(() => temp?.remove());

  it('fails the server when it dies, with its exit and the end of its traceback', () => {
    const [experiment] = run.experiments;
    expect(experiment.status).to.equal('failed');
    const died = experiment.steps[0].expectations.find((expectation) => expectation.name === 'running')!;
    expect(died.ok).to.equal(false);
    expect(died.message).to.match(/^tcp-server died while serving: exit code 1 at \+[\d.]+m?s, during step 4; it last wrote: ZeroDivisionError: division by zero$/);
    expect(died.actual).to.contain('average = len(sentence) / (served - 3)');
  });

  it('fails the client after the crash at once, naming the dead server, and notes the traceback on the client that met it', () => {
    const [experiment] = run.experiments;
    const [, first, second, third, fourth] = experiment.steps;
    expect([first.status, second.status]).to.deep.equal(['passed', 'passed']);
    expect(third.status).to.equal('failed');
    expect(third.notes.join('\n')).to.match(/^meanwhile tcp-server wrote to stderr:\nTraceback/m);
    expect(fourth.expectations.map((expectation) => expectation.message)).to.deep.equal(['not run: tcp-server, which it needs, had died (exit code 1)']);
    expect(fourth.durationMs).to.equal(0);
    expect(fourth.process).to.equal(undefined);
  });

  it('shows the traceback in the console, JUnit, HTML and Gradescope reports, and a hint naming the line', () => {
    for (const [format, text] of [
      ['console', console],
      ['junit.xml', readFileSync(path.join(out, 'junit.xml'), 'utf8')],
      ['index.html', readFileSync(path.join(out, 'index.html'), 'utf8')],
      ['gradescope.json', readFileSync(path.join(out, 'gradescope.json'), 'utf8')],
    ]) {
      expect(text, format).to.contain('ZeroDivisionError: division by zero');
    }
    const hints = run.experiments[0].feedback?.map((item) => item.message) ?? [];
    expect(hints.join('\n')).to.match(/TCPServer\.py crashed while serving \(exit code 1\) at TCPServer\.py:16 \(average = len\(sentence\) \/ \(served - 3\)\): ZeroDivisionError/);
  });
});
