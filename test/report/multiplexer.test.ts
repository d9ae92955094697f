import { expect } from 'chai';
import { Writable } from 'node:stream';
import { ReporterMultiplexer } from '../../harness/report/multiplexer.js';
import type { Reporter, RunBeginInfo } from '../../harness/model/reporter.js';
import { makeRun, passedExperiment } from './fixtures.js';

const runBegin: RunBeginInfo = { startedAt: '', experiments: [], jobs: 1, subject: 'reference', outputDir: '/tmp/unused' };

class CaptureStream extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Records every hook it sees, tagged with its own name, into a shared log. */
function recorder(name: string, log: string[]): Reporter {
  return {
    name,
    onRunBegin: () => void log.push(`${name}.onRunBegin`),
    onExperimentBegin: () => void log.push(`${name}.onExperimentBegin`),
    onStepEnd: () => void log.push(`${name}.onStepEnd`),
    onExperimentEnd: () => void log.push(`${name}.onExperimentEnd`),
    onRunEnd: () => void log.push(`${name}.onRunEnd`),
  };
}

const broken: Reporter = {
  name: 'broken',
  onRunBegin: async () => Promise.reject(new Error('no terminal')),
  onExperimentBegin: () => {
    throw new Error('bad state');
  },
  onExperimentEnd: () => {
    throw 'not even an Error';
  },
  onRunEnd: async () => {
    throw new Error('disk full\n    at writeFile');
  },
};

async function replay(multiplexer: ReporterMultiplexer): Promise<void> {
  await multiplexer.onRunBegin(runBegin);
  multiplexer.onExperimentBegin({ id: 'a', title: 'A' });
  multiplexer.onStepEnd('a', passedExperiment.steps[0]!);
  multiplexer.onExperimentEnd(passedExperiment);
  await multiplexer.onRunEnd(makeRun());
}

describe('ReporterMultiplexer', () => {
  it('calls every reporter for every hook, in order, when one of them throws', async () => {
    const log: string[] = [];
    const errorStream = new CaptureStream();
    await replay(new ReporterMultiplexer([recorder('first', log), broken, recorder('last', log)], { errorStream }));
    const hooks = ['onRunBegin', 'onExperimentBegin', 'onStepEnd', 'onExperimentEnd', 'onRunEnd'];
    expect(log).to.deep.equal(hooks.flatMap((hook) => [`first.${hook}`, `last.${hook}`]));
  });

  it('collects each error and prints one line per error to the error stream', async () => {
    const errorStream = new CaptureStream();
    const multiplexer = new ReporterMultiplexer([broken], { errorStream });
    await replay(multiplexer);
    expect(multiplexer.reporterErrors.map(({ reporter, hook }) => `${reporter}.${hook}`)).to.deep.equal([
      'broken.onRunBegin',
      'broken.onExperimentBegin',
      'broken.onExperimentEnd',
      'broken.onRunEnd',
    ]);
    expect(multiplexer.reporterErrors[3]!.error).to.be.instanceOf(Error);
    expect(errorStream.text.split('\n')).to.deep.equal([
      'socklab: reporter broken failed in onRunBegin: no terminal',
      'socklab: reporter broken failed in onExperimentBegin: bad state',
      'socklab: reporter broken failed in onExperimentEnd: not even an Error',
      'socklab: reporter broken failed in onRunEnd: disk full',
      '',
    ]);
  });

  it('awaits each async reporter before calling the next, so files are written when onRunEnd resolves', async () => {
    const log: string[] = [];
    const slow: Reporter = {
      name: 'slow',
      onRunEnd: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push('slow done');
      },
    };
    await new ReporterMultiplexer([slow, recorder('next', log)]).onRunEnd(makeRun());
    expect(log).to.deep.equal(['slow done', 'next.onRunEnd']);
  });

  it('records a promise rejected from a synchronous hook instead of leaving it unhandled', async () => {
    const errorStream = new CaptureStream();
    const sneaky = { name: 'sneaky', onExperimentEnd: () => Promise.reject(new Error('late')) } as unknown as Reporter;
    const multiplexer = new ReporterMultiplexer([sneaky], { errorStream });
    multiplexer.onExperimentEnd(passedExperiment);
    await new Promise((resolve) => setImmediate(resolve));
    expect(multiplexer.reporterErrors.map((e) => e.hook)).to.deep.equal(['onExperimentEnd']);
    expect(errorStream.text).to.equal('socklab: reporter sneaky failed in onExperimentEnd: late\n');
  });
});
