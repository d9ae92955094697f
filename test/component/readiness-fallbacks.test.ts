// Readiness, the sweep of escaped processes and stillness where there is no /proc (macOS, a BSD),
// forced here on Linux (platform-support.ts) against real programs: lsof finds a listener without
// connecting to it, as the kernel's tables do; a connect probe finds it with one connection the server
// sees; UDP is taken as there after a delay where nothing can see it; `ps e` finds a tagged daemon.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { UNSEEN_UDP_DELAY_MS, overridePlatformSupport, probePlatform, type ReadinessMethod } from '../../harness/process/platform-support.js';
import { waitUntilReady } from '../../harness/process/readiness.js';
import { findTaggedByPs, TAG_VARIABLE } from '../../harness/process/process-sweep.js';
import { untilStill } from '../../harness/process/stillness.js';
import type { Program } from '../../harness/process/program.js';
import { allocatePorts, releasePorts } from '../../harness/plan/allocate-ports.js';
import { needsTool } from '../support/tools.js';
import { isAlive, waitUntilGone } from '../support/processes.js';
import { python, TCP_SERVER, UDP_CLIENT, UDP_SERVER } from '../fixtures/readiness/servers.js';

const signal = new AbortController().signal;

/** This machine's tools, with `readiness` forced and, when `proc` is false, /proc taken as missing. */
function pretend(readiness: ReadinessMethod, proc = true): void {
  overridePlatformSupport({ ...probePlatform({ forced: undefined }), readiness, proc });
}

describe('readiness and sweeps without /proc (forced on Linux)', function () {
  this.timeout(20_000);
  let ports: Record<string, number>;
  const programs: Program[] = [];
  beforeEach(async () => {
    ports = await allocatePorts(['given', 'other'], '127.0.0.1');
  });
  afterEach(async () => {
    overridePlatformSupport(null);
    for (const program of programs.splice(0)) await program.stop();
    releasePorts(Object.values(ports));
  });
  const start = (source: string, args: string[]) => {
    const program = python(source, args);
    programs.push(program);
    return program;
  };

  describe('by lsof', function () {
    beforeEach(function () {
      needsTool(this, 'lsof');
      pretend('lsof');
    });

    it('finds a TCP listener of the program without connecting to it, and says how it was seen', async () => {
      const server = start(TCP_SERVER, [String(ports.given)]);
      const verdict = await waitUntilReady(server, { tcp: ports.given }, 10_000, signal);
      expect(verdict).to.deep.include({ ready: true, seenBy: 'seen by lsof', listening: { protocol: 'tcp', port: ports.given, loopbackOnly: true } });
      await server.stop();
      expect(server.result({ stillRunning: true }).stdout).to.equal('accepted 0\n');
    });

    it('decides about a server listening on another port, and names that port', async () => {
      const server = start(TCP_SERVER, [String(ports.other)]);
      const verdict = await waitUntilReady(server, { tcp: ports.given }, 15_000, signal);
      expect(!verdict.ready && verdict.listeningElsewhere).to.deep.equal([ports.other]);
      expect(verdict.waitedMs).to.be.below(15_000);
    });

    it('counts a bound UDP socket, and a client\'s first datagram', async () => {
      const server = start(UDP_SERVER, [String(ports.given)]);
      const bound = await waitUntilReady(server, { udp: ports.given }, 10_000, signal);
      expect(bound).to.deep.include({ ready: true, listening: { protocol: 'udp', port: ports.given, loopbackOnly: false } });
      const client = start(UDP_CLIENT, [String(ports.other)]);
      const sent = await waitUntilReady(client, { ownUdpSocket: true }, 10_000, signal);
      // The client sleeps 0.3 s before its datagram: seen, not guessed.
      expect(sent).to.deep.include({ ready: true, seenBy: 'seen by lsof' });
      expect(sent.waitedMs).to.be.at.least(250);
    });
  });

  describe('by connecting (no lsof either)', () => {
    beforeEach(() => pretend('connect'));

    it('finds a TCP listener by connecting to it once, which the server sees', async () => {
      const server = start(TCP_SERVER, [String(ports.given)]);
      const verdict = await waitUntilReady(server, { tcp: ports.given }, 10_000, signal);
      expect(verdict).to.deep.include({ ready: true, seenBy: 'seen by connecting', listening: { protocol: 'tcp', port: ports.given, loopbackOnly: false } });
      // The kernel completed the handshake; the server's accept thread takes it from the queue on its own time.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await server.stop();
      expect(server.result({ stillRunning: true }).stdout).to.equal('accepted 1\n');
    });

    it('takes a UDP server as ready after a fixed delay, and says that it was not seen', async () => {
      const server = start(UDP_SERVER, [String(ports.given)]);
      const verdict = await waitUntilReady(server, { udp: ports.given }, 10_000, signal);
      expect(verdict).to.deep.include({ ready: true, seenBy: `taken as there after ${UNSEEN_UDP_DELAY_MS}ms: UDP sockets cannot be seen without /proc or lsof` });
      expect(verdict.waitedMs).to.be.at.least(UNSEEN_UDP_DELAY_MS);
    });

    it('still fails a server that never listens, at its deadline', async () => {
      const idle = start('import time\ntime.sleep(30)', []);
      const verdict = await waitUntilReady(idle, { tcp: ports.given }, 800, signal);
      expect(verdict).to.deep.include({ ready: false });
      expect(!verdict.ready && verdict.reason).to.equal(`no TCP listener of its own on port ${ports.given} after 800ms`);
    });
  });

  it('finds a tagged process by `ps e`, and no untagged one', async () => {
    const tag = `test-${process.pid}-ps-sweep`;
    const tagged = spawn('sleep', ['30'], { env: { PATH: process.env.PATH, [TAG_VARIABLE]: `${tag}.0` }, stdio: 'ignore', detached: true });
    const untagged = spawn('sleep', ['30'], { env: { PATH: process.env.PATH, OTHER: `${TAG_VARIABLE}=${tag}.1` }, stdio: 'ignore', detached: true });
    try {
      const { ps } = probePlatform({ forced: undefined });
      if (!ps) throw new Error('no ps on PATH');
      expect(findTaggedByPs(ps, tag)).to.deep.equal([tagged.pid]);
    } finally {
      for (const child of [tagged, untagged]) if (isAlive(child.pid!)) process.kill(child.pid!, 'SIGKILL');
      expect(await waitUntilGone(tagged.pid!)).to.equal(true);
    }
  });

  it('without /proc, stillness is not looked for: a still program is not reported still', async () => {
    pretend('connect', false);
    const still = start('import sys\nsys.stdin.read()', []);
    const started = performance.now();
    expect(await untilStill(() => [still.pid!], performance.now() + 2000, signal)).to.equal(null);
    expect(performance.now() - started).to.be.below(100);
  });
});
