// 6b. The proxy answering from its cache against fetching the same page straight from the origin
// (our web-server), one request at a time, alternating between the two.
import path from 'node:path';
import { httpGet } from './lib/http-get.mjs';
import { HOST } from './lib/ports.mjs';
import { stopProcess } from './lib/processes.mjs';
import { startService } from './lib/services.mjs';
import { median, p95, pairedRatio } from './lib/stats.mjs';
import { tempDir } from './lib/temp.mjs';

export const name = 'proxy-cache';
export const title = 'proxy cache hit against a direct fetch from the origin';

export async function run({ repeat, log }) {
  const requests = repeat(50);
  const origin = await startService('web-server');
  const proxy = await startService('proxy', ['--cache-dir', path.join(tempDir('proxy-cache'), 'cache')]).catch(async (error) => {
    await stopProcess(origin.proc);
    throw error;
  });
  const url = `http://${HOST}:${origin.port}/HelloWorld.html`;
  const samples = { directMs: [], cacheHitMs: [] };
  try {
    const first = await httpGet(proxy.port, url);
    if (!first.ok) throw new Error(`the proxy did not fetch ${url}: ${first.error}`);
    log(`${requests} requests each`);
    for (let index = 0; index < requests; index += 1) {
      const direct = await httpGet(origin.port, '/HelloWorld.html');
      const hit = await httpGet(proxy.port, url);
      if (!direct.ok || !hit.ok) throw new Error(`request ${index + 1} failed: direct ${direct.error ?? 'ok'}, proxy ${hit.error ?? 'ok'}`);
      samples.directMs.push(direct.ms);
      samples.cacheHitMs.push(hit.ms);
    }
  } finally {
    await stopProcess(proxy.proc);
    await stopProcess(origin.proc);
  }
  const hits = (proxy.proc.output.stdout.match(/ HIT 200 /g) ?? []).length;
  if (hits < requests) throw new Error(`only ${hits} of ${requests} proxy answers were cache hits`);
  return {
    figures: [
      { figure: 'direct from origin, median', value: median(samples.directMs), unit: 'ms' },
      { figure: 'proxy cache hit, median', value: median(samples.cacheHitMs), unit: 'ms' },
      { figure: 'proxy cache hit, p95', value: p95(samples.cacheHitMs), unit: 'ms' },
      { figure: 'cache hit / direct (median of paired requests)', value: pairedRatio(samples.cacheHitMs, samples.directMs), unit: 'x' },
    ],
    samples,
    notes: [`${requests} sequential GETs each, fresh connection per request; ${hits} HIT lines in the proxy's log`],
  };
}
