import { expect } from 'chai';
import { access, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ReporterMultiplexer } from '../../harness/report/multiplexer.js';
import { createReporters, defaultReporterNames, reporterFactories } from '../../harness/report/registry.js';
import { makeRun } from './fixtures.js';
import { checkReporterNames } from '../../harness/commands/common.js';
import { SocklabError } from '../../harness/errors.js';

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

describe('reporter registry', () => {
  it('offers console, junit, json, html, gradescope and github; `run` uses the first four by default', async () => {
    expect(Object.keys(reporterFactories)).to.deep.equal(['console', 'junit', 'json', 'html', 'gradescope', 'github']);
    const reporters = await createReporters(defaultReporterNames, { outputDir: '/tmp/unused', stream: quiet });
    expect(reporters.map((reporter) => reporter.name)).to.deep.equal(['console', 'junit', 'json', 'html']);
  });

  it('rejects an unknown name, listing the valid ones; the CLI checks names first as a usage error with a near miss', async () => {
    const refusal = (names: string[]) => createReporters(names, { outputDir: '/tmp/unused' }).then(() => 'accepted', (error: Error) => error.message);
    expect(await refusal(['console', 'junti'])).to.equal('unknown reporter "junti"; valid reporters: console, junit, json, html, gradescope, github');
    expect(await refusal(['toString'])).to.match(/^unknown reporter "toString"; valid/);
    expect(() => checkReporterNames(['console', 'junti'])).to.throw(SocklabError, 'unknown reporter "junti" (did you mean "junit"?); valid reporters: console, junit, json, html, gradescope, github');
    expect(() => checkReporterNames(['constructor'])).to.throw(SocklabError, 'unknown reporter "constructor"; valid');
    try {
      checkReporterNames(['htm']);
      expect.fail('htm is no reporter');
    } catch (error) {
      expect((error as SocklabError).exitCode, 'a usage error').to.equal(2);
    }
  });

  it('the gradescope reporter writes gradescope.json, and the extra file it is given, atomically', async () => {
    const outputDir = await mkdtemp(path.join(os.tmpdir(), 'socklab-registry-'));
    try {
      const extra = path.join(outputDir, 'autograder', 'results.json');
      await mkdir(path.dirname(extra));
      const [reporter] = await createReporters(['gradescope'], { outputDir, gradescopeFile: extra });
      await reporter.onRunEnd!(makeRun());
      const written = JSON.parse(await readFile(path.join(outputDir, 'gradescope.json'), 'utf8')) as { score: number; tests: unknown[] };
      expect(written.tests.length).to.be.greaterThan(0);
      expect(await readFile(extra, 'utf8')).to.equal(await readFile(path.join(outputDir, 'gradescope.json'), 'utf8'));
      expect((await readdir(outputDir)).filter((name) => name.endsWith('.tmp'))).to.deep.equal([]);
    } finally {
      await rm(outputDir, { recursive: true, force: true });
    }
  });

  it('makes one reporter per name even when a name is repeated', async () => {
    expect((await createReporters(['json', 'junit', 'json'], { outputDir: '/tmp/unused' })).map((r) => r.name)).to.deep.equal(['json', 'junit']);
  });

  it('writes both report files when the default reporters run behind the multiplexer', async () => {
    const outputDir = await mkdtemp(path.join(os.tmpdir(), 'socklab-registry-'));
    try {
      const multiplexer = new ReporterMultiplexer(await createReporters(defaultReporterNames, { outputDir, stream: quiet }));
      await multiplexer.onRunEnd(makeRun());
      expect(multiplexer.reporterErrors).to.deep.equal([]);
      await access(path.join(outputDir, 'junit.xml'));
      await access(path.join(outputDir, 'results.json'));
    } finally {
      await rm(outputDir, { recursive: true, force: true });
    }
  });
});
