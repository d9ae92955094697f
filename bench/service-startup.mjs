// 4. Start-up cost of each reference service: spawn → its "listening on" line on stdout, against a bare
// `node -e 0` (spawn → exit). Rounds alternate through the programs so drift hits all of them.
import path from 'node:path';
import { runCommand, stopProcess } from './lib/processes.mjs';
import { startService } from './lib/services.mjs';
import { median, pairedRatio } from './lib/stats.mjs';
import { tempDir } from './lib/temp.mjs';

export const name = 'service-startup';
export const title = 'reference services: spawn → ready line, against node -e 0';

const SERVICES = {
  'tcp-server': () => [],
  'udp-server': () => [],
  'web-server': () => [],
  proxy: () => ['--cache-dir', path.join(tempDir('proxy-cache'), 'cache')],
};

export async function run({ repeat, log }) {
  const samples = { 'node -e 0': [], ...Object.fromEntries(Object.keys(SERVICES).map((service) => [service, []])) };
  const rounds = repeat(7);
  for (let index = 0; index < rounds; index += 1) {
    log(`round ${index + 1}/${rounds}`);
    samples['node -e 0'].push((await runCommand(process.execPath, ['-e', '0'])).ms);
    for (const [service, extraArgs] of Object.entries(SERVICES)) samples[service].push(await timeToReady(service, extraArgs()));
  }
  const baseline = median(samples['node -e 0']);
  return {
    figures: [
      { figure: 'node -e 0 (spawn → exit), median', value: baseline, unit: 'ms' },
      ...Object.keys(SERVICES).flatMap((service) => [
        { figure: `${service} spawn → ready, median`, value: median(samples[service]), unit: 'ms' },
        { figure: `${service} / node -e 0 (median of per-round ratios)`, value: pairedRatio(samples[service], samples['node -e 0']), unit: 'x' },
      ]),
    ],
    samples,
    notes: [`${rounds} rounds; ready = the service's "listening on" line on stdout`],
  };
}

async function timeToReady(service, extraArgs) {
  const { proc, readyMs } = await startService(service, extraArgs);
  await stopProcess(proc);
  return readyMs;
}
