// Proof that the Task 3 concurrency checks can fail: they run against a deliberately single-threaded proxy.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { fixtureProgram, repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';

describe('Task 3 concurrency specs (end to end)', function () {
  this.timeout(240_000);
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  async function runSpecs(args: string[]) {
    const out = path.join(temp.path, 'reports');
    const cli = await runCli(['run', ...args, '--out', out, '-r', 'json,console'], { cwd: repoRoot, timeoutMs: 200_000 });
    return { cli, results: JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult };
  }

  // specs/task2–4 against the reference are run by grade.test.ts (`grade --reference` must score full marks).

  it('the proxy concurrency checks fail against a single-threaded proxy', async () => {
    const { cli, results } = await runSpecs(['proxy-concurrency', 'proxy-stalled-origin', 'proxy-fetch', '--role', `proxy=node ${fixtureProgram('single-threaded-proxy.mjs')}`]);
    expect(cli.exitCode).to.equal(1);
    const status = Object.fromEntries(results.experiments.map((experiment) => [experiment.id, experiment.status]));
    expect(status).to.deep.equal({ 'proxy-concurrency': 'failed', 'proxy-fetch': 'passed', 'proxy-stalled-origin': 'failed' });
    const concurrency = results.experiments.find((experiment) => experiment.id === 'proxy-concurrency')!;
    expect(concurrency.failures.map((failure) => failure.name)).to.deep.equal(['within']);
    expect(concurrency.failures[0].actual).to.match(/^took [4-8](\.\d+)?s/);
  });
});
