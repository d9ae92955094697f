// `destination: told` on hand-built results: the host and the port are two checks, so a client that
// reads one of them from its command line keeps half; a client that never got through fails both.
import { expect } from 'chai';
import { judgeDestination } from '../../harness/expect/destination-expectations.js';
import type { WorldEvents } from '../../harness/model/result.js';
import { processResult } from '../support/result-builder.js';

const told = { hosts: ['192.0.2.1'], ports: [40123] };
const world = (events: Partial<WorldEvents>): WorldEvents => ({ lookups: [], delivered: [], ...events }) as WorldEvents;
const outcome = (checks: Array<{ name: string; ok: boolean }>) => Object.fromEntries(checks.map((check) => [check.name, check.ok]));

describe('destination: told', () => {
  it('passes both checks when the client went where it was told', () => {
    expect(outcome(judgeDestination(processResult(), world({}), told))).to.deep.equal({ 'destination.host': true, 'destination.port': true });
  });

  it("a hard-coded 'localhost' at the right port costs the host only", () => {
    const delivered = [{ protocol: 'tcp' as const, asked: 'localhost:40123', port: 40123, deliveredTo: 'tcp-server (192.0.2.1:40123)', connections: 1, address: 'loopback' as const }];
    const checks = judgeDestination(processResult(), world({ delivered }), told);
    expect(outcome(checks)).to.deep.equal({ 'destination.host': false, 'destination.port': true });
    expect(checks[0].actual).to.equal('went to localhost:40123');
  });

  it("the book's 12000 at the host it was told costs the port only", () => {
    const delivered = [{ protocol: 'tcp' as const, asked: '192.0.2.1:12000', port: 12000, deliveredTo: 'tcp-server (192.0.2.1:40123)', connections: 1, address: 'the-service' as const }];
    const checks = judgeDestination(processResult(), world({ delivered }), told);
    expect(outcome(checks)).to.deep.equal({ 'destination.host': true, 'destination.port': false });
    expect(checks[1].actual).to.equal('used port 12000');
  });

  it("a name of its own ('servername') looked up costs the host", () => {
    const lookups = [{ name: 'servername', type: 'A', answer: '192.0.2.1' }];
    expect(outcome(judgeDestination(processResult(), world({ lookups }), told))).to.deep.equal({ 'destination.host': false, 'destination.port': true });
  });

  it('an interactive client stopped by the end of its input got through', () => {
    const ended = processResult({ exitCode: 1, endedAtEndOfInput: { exception: 'EOFError', at: "sentence = input('Input lowercase sentence: ')" } });
    expect(outcome(judgeDestination(ended, world({}), told))).to.deep.equal({ 'destination.host': true, 'destination.port': true });
  });

  it('a client that crashed or waited fails both, saying how it ended', () => {
    const crashed = judgeDestination(processResult({ exitCode: 1 }), world({}), told);
    expect(outcome(crashed)).to.deep.equal({ 'destination.host': false, 'destination.port': false });
    expect(crashed[0].actual).to.equal('did not get through: it ended with exit code 1');
    expect(judgeDestination(processResult({ exitCode: null, timedOut: true }), world({}), told)[1].actual).to.equal('did not get through: it was still waiting at its timeout');
  });
});
