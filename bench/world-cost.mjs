// The cost of an experiment's world, and readiness that does not grow with the machine.
// 1. The same experiments run on loopback and in worlds (--isolate), interleaved round by round: the
//    extra time per experiment, and the ratio.
// 2. Readiness ('ready after', spawn → the harness sees the server's listener) with 30,000 idle TCP
//    sockets held elsewhere on the machine (a load test's leftovers) and with none, on loopback and in
//    a world. On loopback socklab reads the whole namespace's socket table, which grows with them; a
//    world's table holds only its own sockets. Ratios with / without, each pair measured back to back.
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { stringify } from 'yaml';
import { assertPassed, root, socklabRun } from './lib/socklab.mjs';
import { median, pairedRatio } from './lib/stats.mjs';
import { tempDir } from './lib/temp.mjs';

export const name = 'world-cost';
export const title = "an experiment's own world: its cost, and readiness with 30,000 sockets elsewhere";

const labFile = path.join(root, 'bench', 'fixtures', 'lab.yaml');
const IDLE_SOCKETS = 30_000;
/** Readiness in a world must not grow with the machine's sockets: with / without within this. */
const INDEPENDENT_WITHIN = 1.25;

export async function run({ repeat, log }) {
  if (process.getuid?.() !== 0) throw new Error('worlds need root (network namespaces)');
  const rounds = repeat(6);
  const perRound = 5;
  const specs = writeSpecs(perRound);
  const loopbackMs = [];
  const worldMs = [];
  log(`${rounds} rounds of ${perRound} experiments, loopback then world`);
  for (let round = 0; round < rounds; round += 1) {
    for (const [isolate, into] of round % 2 === 0 ? [[false, loopbackMs], [true, worldMs]] : [[true, worldMs], [false, loopbackMs]]) {
      const run = await socklabRun([specs, '--lab', labFile, '-j', '1', ...(isolate ? ['--isolate'] : [])]);
      assertPassed(run, `socklab run (${isolate ? 'world' : 'loopback'})`);
      into.push(...run.results.experiments.map((experiment) => experiment.durationMs));
    }
  }

  log(`readiness with and without ${IDLE_SOCKETS} idle sockets`);
  const ready = { loopback: { without: [], with: [] }, world: { without: [], with: [] } };
  for (let round = 0; round < Math.max(2, Math.ceil(rounds / 2)); round += 1) {
    for (const load of round % 2 === 0 ? ['without', 'with'] : ['with', 'without']) {
      const holder = load === 'with' ? await holdIdleSockets(IDLE_SOCKETS) : null;
      try {
        for (const where of ['loopback', 'world']) {
          const run = await socklabRun([specs, '--lab', labFile, '-j', '1', ...(where === 'world' ? ['--isolate'] : [])]);
          assertPassed(run, `socklab run (readiness, ${where}, ${load} idle sockets)`);
          ready[where][load].push(median(readyAfter(run.results)));
        }
      } finally {
        await holder?.close();
      }
    }
  }
  const loopbackGrowth = pairedRatio(ready.loopback.with, ready.loopback.without);
  const worldGrowth = pairedRatio(ready.world.with, ready.world.without);
  return {
    figures: [
      { figure: 'experiment on loopback, median', value: median(loopbackMs), unit: 'ms' },
      { figure: 'experiment in its own world, median', value: median(worldMs), unit: 'ms' },
      { figure: 'world / loopback', value: median(worldMs) / median(loopbackMs), unit: '×' },
      { figure: "the world's cost per experiment (median difference)", value: median(worldMs) - median(loopbackMs), unit: 'ms' },
      { figure: `ready after, loopback, no idle sockets`, value: median(ready.loopback.without), unit: 'ms' },
      { figure: `ready after, loopback, ${IDLE_SOCKETS} idle sockets`, value: median(ready.loopback.with), unit: 'ms' },
      { figure: `ready after, world, no idle sockets`, value: median(ready.world.without), unit: 'ms' },
      { figure: `ready after, world, ${IDLE_SOCKETS} idle sockets`, value: median(ready.world.with), unit: 'ms' },
      { figure: 'loopback: with / without idle sockets', value: loopbackGrowth, unit: '×' },
      {
        figure: 'world: with / without idle sockets',
        value: worldGrowth,
        unit: '×',
        target: `≤ ${INDEPENDENT_WITHIN}× (independent of the machine's sockets)`,
        verdict: worldGrowth <= INDEPENDENT_WITHIN ? 'met' : 'NOT met',
      },
    ],
    samples: { loopbackMs, worldMs, ready },
    notes: [
      `each world: three network namespaces, a bridge, iptables rules, a DNS server and an agent process on its Internet host; one is made ahead in the background while an experiment runs`,
      `idle sockets: ${IDLE_SOCKETS / 2} loopback TCP connections (both ends) held open by a helper in socklab's own namespace`,
    ],
  };
}

function writeSpecs(count) {
  const experiments = Array.from({ length: count }, (_, index) => ({
    id: `world-${String(index + 1).padStart(2, '0')}`,
    title: `a server and a client, sample ${index + 1}`,
    steps: [{ start: 'stamp-server', args: ['{{ports.server}}'], ready: { tcp: '{{ports.server}}' } }, { run: 'stamp-client' }],
  }));
  const dir = path.join(tempDir('world-specs'), 'specs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'world.yaml'), stringify(experiments));
  return dir;
}

/** The start steps' "ready after N ms" notes. */
function readyAfter(results) {
  return results.experiments.flatMap((experiment) =>
    experiment.steps[0].notes.flatMap((note) => {
      const match = /ready after ([\d.]+)(ms|s)/.exec(note);
      return match ? [Number(match[1]) * (match[2] === 's' ? 1000 : 1)] : [];
    }),
  );
}

/** Sockets one helper holds: its file limit here is 20,000 (root cannot raise it on these machines). */
const SOCKETS_PER_HOLDER = 15_000;

/**
 * `count` idle sockets in this namespace, held by helper processes: each a listener and loopback
 * connections to it, both ends kept open until close().
 */
async function holdIdleSockets(count) {
  const holders = await Promise.all(Array.from({ length: Math.ceil(count / SOCKETS_PER_HOLDER) }, () => holdSockets(Math.min(SOCKETS_PER_HOLDER, count))));
  return { close: () => Promise.all(holders.map((holder) => holder.close())) };
}

async function holdSockets(count) {
  const script = `
    const net = require('node:net');
    const sockets = [];
    const server = net.createServer((socket) => sockets.push(socket));
    server.listen(0, '127.0.0.1', async () => {
      const { port } = server.address();
      for (let opened = 0; opened < ${count / 2}; opened += 1) {
        sockets.push(await new Promise((resolve, reject) => { const socket = net.connect(port, '127.0.0.1'); socket.once('connect', () => resolve(socket)).once('error', reject); }));
      }
      process.stdout.write('holding\\n');
    });
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => chunk.toString().includes('holding') && resolve());
    child.once('exit', (code) => reject(new Error(`the socket holder ended early (exit ${code})`)));
  });
  return {
    close: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}
