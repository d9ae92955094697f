import { expect } from 'chai';
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ReporterMultiplexer } from '../../harness/report/multiplexer.js';
import { createReporters, defaultReporterNames, reporterFactories } from '../../harness/report/registry.js';
import { makeRun } from './fixtures.js';

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

describe('reporter registry', () => {
  it('offers console, junit, json and html, all four by default', () => {
    expect(Object.keys(reporterFactories)).to.deep.equal(['console', 'junit', 'json', 'html']);
    const reporters = createReporters(defaultReporterNames, { outputDir: '/tmp/unused', stream: quiet });
    expect(reporters.map((reporter) => reporter.name)).to.deep.equal(['console', 'junit', 'json', 'html']);
  });

  it('rejects an unknown name, listing the valid ones and suggesting a near miss', () => {
    expect(() => createReporters(['console', 'junti'], { outputDir: '/tmp/unused' })).to.throw(
      'unknown reporter "junti" (did you mean "junit"?); valid reporters: console, junit, json, html',
    );
    expect(() => createReporters(['toString'], { outputDir: '/tmp/unused' })).to.throw('unknown reporter "toString"; valid');
  });

  it('makes one reporter per name even when a name is repeated', () => {
    expect(createReporters(['json', 'junit', 'json'], { outputDir: '/tmp/unused' }).map((r) => r.name)).to.deep.equal(['json', 'junit']);
  });

  it('writes both report files when the default reporters run behind the multiplexer', async () => {
    const outputDir = await mkdtemp(path.join(os.tmpdir(), 'socklab-registry-'));
    try {
      const multiplexer = new ReporterMultiplexer(createReporters(defaultReporterNames, { outputDir, stream: quiet }));
      await multiplexer.onRunEnd(makeRun());
      expect(multiplexer.reporterErrors).to.deep.equal([]);
      await access(path.join(outputDir, 'junit.xml'));
      await access(path.join(outputDir, 'results.json'));
    } finally {
      await rm(outputDir, { recursive: true, force: true });
    }
  });
});
