import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { JsonReporter } from '../../harness/report/json.js';
import { makeRun } from './fixtures.js';

describe('JsonReporter', () => {
  let outputDir: string;

  beforeEach(async () => {
    outputDir = await mkdtemp(path.join(os.tmpdir(), 'socklab-json-'));
  });

  afterEach(async () => {
    await rm(outputDir, { recursive: true, force: true });
  });

  it('writes the RunResult verbatim, so it round-trips, lone surrogates and control characters included', async () => {
    const run = makeRun();
    await new JsonReporter({ outputDir }).onRunEnd(run);
    const text = await readFile(path.join(outputDir, 'results.json'), 'utf8');
    expect(JSON.parse(text)).to.deep.equal(run);
    expect(text).to.match(/^\{\n {2}"version": 2,/);
    expect(await readdir(outputDir)).to.deep.equal(['results.json']);
  });

  it('rejects when the output folder is missing instead of failing silently', async () => {
    const reporter = new JsonReporter({ outputDir: path.join(outputDir, 'missing') });
    let failure: unknown;
    await reporter.onRunEnd(makeRun()).catch((error: unknown) => (failure = error));
    expect(failure).to.be.instanceOf(Error).with.property('code', 'ENOENT');
  });
});
