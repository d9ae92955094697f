// 6a. Our web-server under load against nginx (and Python's http.server) serving the same file,
// every figure from wrk (bench/lib/wrk.mjs). Two modes: keep-alive (wrk's default: each connection
// carries request after request) and "Connection: close" (a new connection per request, what the
// lab's one-request-per-connection servers do). Within a round every server runs once per mode, in
// an order that rotates between rounds; ratios are medians of the per-round ratios.
import os from 'node:os';
import path from 'node:path';
import { findOrInstall } from './lib/apt.mjs';
import { startNginx, startPythonHttpServer } from './lib/peers.mjs';
import { stopProcess } from './lib/processes.mjs';
import { root } from './lib/socklab.mjs';
import { startService } from './lib/services.mjs';
import { median, pairedRatio, round } from './lib/stats.mjs';
import { runWrk } from './lib/wrk.mjs';

export const name = 'web-server-load';
export const title = 'web-server requests/s against nginx with wrk, keep-alive and Connection: close';

const CONNECTIONS = 20;
const ROUND_SECONDS = 2;
const TARGET = '/HelloWorld.html';
/** Issue #17: at least half of nginx's requests/s, in both modes. */
const TARGET_RATIO = 0.5;
const documentRoot = path.join(root, 'services', 'www');
/** Python's http.server speaks HTTP/1.0 and closes every connection: it is measured in close mode only. */
const MODES = [
  { mode: 'keep-alive', close: false, peers: ['ours', 'nginx'] },
  { mode: 'close', close: true, peers: ['ours', 'nginx', 'python'] },
];

export async function run({ repeat, log }) {
  const wrk = await findOrInstall('wrk', 'wrk', log);
  if (wrk.skipped) throw new Error(`every figure of this benchmark comes from wrk: ${wrk.skipped}`);
  const loadAtStart = os.loadavg().map((load) => round(load));
  const servers = { ours: await startService('web-server'), nginx: await startNginx(documentRoot, log), python: await startPythonHttpServer(documentRoot) };
  const rounds = repeat(5);
  const results = {};
  try {
    const measure = (close, peer) => runWrk(wrk.binary, { port: servers[peer].port, target: TARGET, connections: CONNECTIONS, seconds: ROUND_SECONDS, close });
    const runnable = MODES.map(({ mode, close, peers }) => ({ mode, close, peers: peers.filter((peer) => !servers[peer].skipped) }));
    for (const { mode, close, peers } of runnable) {
      for (const peer of peers) {
        log(`warm-up: ${peer}, ${mode}`);
        await runWrk(wrk.binary, { port: servers[peer].port, target: TARGET, connections: CONNECTIONS, seconds: 1, close });
        results[`${peer} ${mode}`] = [];
      }
    }
    for (let index = 0; index < rounds; index += 1) {
      for (const { mode, close, peers } of runnable) {
        for (const peer of peers.map((_, position) => peers[(position + index) % peers.length])) {
          log(`round ${index + 1}/${rounds}: ${peer}, ${mode}`);
          results[`${peer} ${mode}`].push(await measure(close, peer));
        }
      }
    }
  } finally {
    for (const server of Object.values(servers)) if (!server.skipped) await stopProcess(server.proc);
  }
  return { figures: figuresOf(results, servers), samples: results, notes: notesOf(results, servers, rounds, loadAtStart) };
}

function figuresOf(results, servers) {
  const perSecond = (key) => results[key]?.map((run) => run.requestsPerSecond) ?? [];
  const figures = [];
  for (const { mode, peers } of MODES) {
    for (const peer of peers.filter((peer) => results[`${peer} ${mode}`])) {
      figures.push({ figure: `${peer}, ${mode}: requests/s, median of rounds`, value: median(perSecond(`${peer} ${mode}`)), unit: 'req/s' });
    }
    if (!results[`nginx ${mode}`]) {
      figures.push({ figure: `ours / nginx, ${mode}`, value: 'skipped', target: `≥ ${TARGET_RATIO}x nginx`, verdict: `not measured: nginx ${servers.nginx.skipped}` });
      continue;
    }
    const ratio = pairedRatio(perSecond(`ours ${mode}`), perSecond(`nginx ${mode}`));
    figures.push({ figure: `ours / nginx, ${mode} (median of per-round ratios)`, value: ratio, unit: 'x', target: `≥ ${TARGET_RATIO}x nginx`, verdict: ratio >= TARGET_RATIO ? 'met' : 'not met' });
  }
  if (results['python close']) {
    figures.push({ figure: 'ours / python http.server, close (median of per-round ratios)', value: pairedRatio(perSecond('ours close'), perSecond('python close')), unit: 'x' });
  }
  for (const mode of ['keep-alive', 'close']) {
    const latencies = results[`ours ${mode}`].map((run) => run.latencyMs);
    figures.push({ figure: `ours, ${mode}: latency p50 / p99 (medians of rounds)`, value: `${round(median(latencies.map((l) => l.p50)))} / ${round(median(latencies.map((l) => l.p99)))} ms` });
  }
  return figures;
}

function notesOf(results, servers, rounds, loadAtStart) {
  const failures = Object.entries(results).flatMap(([key, runs]) => {
    const non2xx = runs.reduce((sum, run) => sum + run.non2xx, 0);
    const socketErrors = runs.reduce((sum, run) => sum + Object.values(run.socketErrors ?? {}).reduce((a, b) => a + b, 0), 0);
    return non2xx + socketErrors > 0 ? [`${key}: ${non2xx} responses other than 2xx/3xx and ${socketErrors} socket errors over ${rounds} rounds`] : [];
  });
  return [
    `GET ${TARGET} with wrk -t1 -c${CONNECTIONS}, ${rounds} rounds of ${ROUND_SECONDS} s per server and mode; nginx with one worker; load average ${loadAtStart.join(' ')} at the start`,
    ...Object.entries(servers).filter(([, server]) => server.skipped).map(([peer, { skipped }]) => `${peer} skipped: ${skipped}`),
    ...failures,
  ];
}
