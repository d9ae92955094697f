// The one scoring module: weights, partial credit, totals and rounding.
import { expect } from 'chai';
import { experimentScore, roundPoints, runTotals, weightedPoints } from '../../harness/model/scoring.js';
import { failed } from '../support/result-builder.js';

const held = (name: string) => ({ name, ok: true, expected: 'x', actual: 'x', message: name });

describe('scoring', () => {
  it("weights multiply an experiment's points by the weight of its first weighted tag", () => {
    const weights = { task2: 1.5, http: 10 };
    expect(weightedPoints(2, ['task2', 'http'], weights)).to.equal(3);
    expect(weightedPoints(1, ['task1'], weights)).to.equal(1);
    expect(weightedPoints(3, ['other', 'http'], weights)).to.equal(30);
    expect(weightedPoints(1, ['task2'], { task2: 1 / 3 })).to.equal(0.33);
  });

  it('an experiment beyond the handout (tagged extra) earns nothing unless the lab file weighs extra', () => {
    expect(weightedPoints(2, ['task1', 'extra'], {})).to.equal(0);
    expect(weightedPoints(2, ['task1', 'extra'], { task1: 3 })).to.equal(0);
    expect(weightedPoints(2, ['task1', 'extra'], { extra: 0.5 })).to.equal(1);
  });

  it('a passed experiment earns its points; a failed one nothing, unless partial credit is on', () => {
    const expectations = [held('a'), held('b'), failed('c')];
    expect(experimentScore({ status: 'passed', points: 2, partial: false, expectations: [held('a')] })).to.equal(2);
    expect(experimentScore({ status: 'failed', points: 2, partial: false, expectations })).to.equal(0);
    expect(experimentScore({ status: 'failed', points: 2, partial: true, expectations })).to.equal(1.33);
    expect(experimentScore({ status: 'failed', points: 2, partial: true, expectations: [] }), 'nothing checked').to.equal(0);
  });

  it('partial credit never pays for an experiment that errored, was skipped or interrupted', () => {
    const expectations = [held('a'), failed('b')];
    for (const status of ['error', 'skipped', 'interrupted'] as const) {
      expect(experimentScore({ status, points: 4, partial: true, expectations }), status).to.equal(0);
    }
  });

  it('totals leave skipped experiments out of both the score and the maximum, and round to two decimals', () => {
    const totals = runTotals([
      { status: 'passed', score: 1 / 3, points: 1 / 3 },
      { status: 'failed', score: 0.5, points: 1 },
      { status: 'skipped', score: 0, points: 5 },
      { status: 'error', score: 0, points: 1 },
    ]);
    expect(totals).to.deep.equal({ score: 0.83, maxScore: 2.33 });
    expect(roundPoints(2.005)).to.equal(2.01);
  });
});
