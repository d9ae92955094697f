// 6a. Our web-server under load against Python's http.server and nginx serving the same file,
// measured with one load generator (bench/lib/load.mjs: fresh connection per GET, 20 at once).
// Rounds alternate between the servers; each gets a short warm-up first.
import path from 'node:path';
import { runLoad } from './lib/load.mjs';
import { startNginx, startPythonHttpServer } from './lib/peers.mjs';
import { stopProcess } from './lib/processes.mjs';
import { root } from './lib/socklab.mjs';
import { startService } from './lib/services.mjs';
import { median, p99, pairedRatio } from './lib/stats.mjs';

export const name = 'web-server-load';
export const title = 'web-server req/s and latency against python http.server and nginx';

const CONCURRENCY = 20;
const ROUND_MS = 500;
const TARGET = '/HelloWorld.html';
const documentRoot = path.join(root, 'services', 'www');

export async function run({ repeat, log }) {
  const peers = {
    ours: await startService('web-server'),
    python: await startPythonHttpServer(documentRoot),
    nginx: await startNginx(documentRoot, log),
  };
  const running = Object.entries(peers).filter(([, peer]) => !peer.skipped);
  const rounds = repeat(6);
  const results = Object.fromEntries(running.map(([peer]) => [peer, []]));
  try {
    for (const [, peer] of running) await runLoad({ port: peer.port, target: TARGET, concurrency: CONCURRENCY, durationMs: 300 });
    for (let index = 0; index < rounds; index += 1) {
      const order = running.map((_, position) => running[(position + index) % running.length]);
      for (const [peer, { port }] of order) {
        log(`round ${index + 1}/${rounds}: ${peer}`);
        results[peer].push(await runLoad({ port, target: TARGET, concurrency: CONCURRENCY, durationMs: ROUND_MS }));
      }
    }
  } finally {
    for (const [, peer] of running) await stopProcess(peer.proc);
  }

  const requestsPerSecond = (peer) => median(results[peer].map((round) => round.requestsPerSecond));
  const latencies = (peer) => results[peer].flatMap((round) => round.latencies);
  const figures = running.flatMap(([peer]) => [
    { figure: `${peer}: requests/s, median of rounds`, value: requestsPerSecond(peer), unit: 'req/s' },
    { figure: `${peer}: latency p50`, value: median(latencies(peer)), unit: 'ms' },
    { figure: `${peer}: latency p99`, value: p99(latencies(peer)), unit: 'ms' },
  ]);
  for (const peer of ['python', 'nginx']) {
    const perRound = (name) => results[name].map((round) => round.requestsPerSecond);
    if (results[peer]) figures.push({ figure: `requests/s ours / ${peer} (median of per-round ratios)`, value: pairedRatio(perRound('ours'), perRound(peer)), unit: 'x' });
    else figures.push({ figure: `requests/s ours / ${peer}`, value: 'skipped', verdict: peers[peer].skipped });
  }
  const peersWithErrors = running.map(([peer]) => [peer, results[peer].map((round) => round.errors)]).filter(([, errors]) => errors.some((round) => Object.keys(round).length > 0));
  return {
    figures,
    samples: Object.fromEntries(running.map(([peer]) => [peer, results[peer].map(({ latencies: all, ...round }) => ({ ...round, latenciesMs: all.map((ms) => Math.round(ms * 1000) / 1000) }))])),
    notes: [
      `GET ${TARGET}, ${CONCURRENCY} connections at once, a new connection per request, ${rounds} rounds of ${ROUND_MS} ms per server`,
      ...Object.entries(peers).filter(([, peer]) => peer.skipped).map(([peer, { skipped }]) => `${peer} skipped: ${skipped}`),
      ...peersWithErrors.map(([peer, errors]) => `${peer}: failed requests per round: ${JSON.stringify(errors)}`),
    ],
  };
}
