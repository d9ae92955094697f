// 2. Readiness latency: from the moment a started server's listen() succeeds to the moment the next
// step's client program starts running. Fixture programs print wall-clock stamps (epoch ms with
// sub-ms precision, comparable across processes); socklab runs them as roles from
// bench/fixtures/lab.yaml. The client also prints when its process started (performance.timeOrigin),
// so the net figure leaves out Node's own boot sample by sample instead of subtracting a median.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { runCommand } from './lib/processes.mjs';
import { assertPassed, root, socklabRun } from './lib/socklab.mjs';
import { median, p95 } from './lib/stats.mjs';
import { tempDir } from './lib/temp.mjs';

export const name = 'readiness-latency';
export const title = "server listening → next step's client running";

const TARGET_MS = 5;
const labFile = path.join(root, 'bench', 'fixtures', 'lab.yaml');
const clientFixture = path.join(root, 'bench', 'fixtures', 'stamp-client.mjs');

export async function run({ repeat, log }) {
  const experiments = repeat(30);
  const startupRuns = repeat(10);
  const startup = { spawnToProcessStartMs: [], nodeBootMs: [], nodeEvalZeroMs: [] };
  await measureNodeStartup(Math.ceil(startupRuns / 2), startup);

  log(`${experiments} experiments, one at a time`);
  const run = await socklabRun([writeSpecs(experiments), '--lab', labFile, '-j', '1']);
  assertPassed(run, 'socklab run (readiness fixtures)');
  const rawMs = [];
  const netMs = [];
  const clientBootMs = [];
  const readyAfterMs = [];
  const detectMs = [];
  const launchMs = [];
  for (const experiment of run.results.experiments) {
    const [start, client] = experiment.steps;
    const [listening] = stamps(start.process.stdout, 'listening');
    const [processStart, firstStatement] = stamps(client.process.stdout, 'started');
    rawMs.push(firstStatement - listening);
    netMs.push(processStart - listening);
    clientBootMs.push(firstStatement - processStart);
    // When the start step ended, on the wall clock; results.json rounds step times to whole ms.
    const readyAt = Date.parse(experiment.startedAt) + start.startedAtMs + start.durationMs;
    detectMs.push(readyAt - listening);
    launchMs.push(processStart - readyAt);
    const note = start.notes.map((text) => /ready after ([\d.]+)(ms|s)/.exec(text)).find(Boolean);
    if (note) readyAfterMs.push(Number(note[1]) * (note[2] === 's' ? 1000 : 1));
  }
  await measureNodeStartup(Math.floor(startupRuns / 2), startup);
  // What is left once even the exec of Node (spawn → its process start, as a bare spawn from the
  // bench takes it) is taken out: socklab's own share.
  const spawnFloor = median(startup.spawnToProcessStartMs);
  const harnessMs = netMs.map((ms) => ms - spawnFloor);

  const verdict = (ms) => ({ target: `≤ ${TARGET_MS} ms`, verdict: ms <= TARGET_MS ? 'met' : 'NOT met' });
  return {
    figures: [
      { figure: 'raw (listen → client code running), median', value: median(rawMs), unit: 'ms' },
      { figure: 'raw, p95', value: p95(rawMs), unit: 'ms' },
      { figure: 'client node boot (process start → first statement), median', value: median(clientBootMs), unit: 'ms' },
      { figure: 'net of node boot (listen → client process started), median', value: median(netMs), unit: 'ms', ...verdict(median(netMs)) },
      { figure: 'net of node boot, p95', value: p95(netMs), unit: 'ms', ...verdict(p95(netMs)) },
      { figure: '  of which listen → start step done (±1 ms), median', value: median(detectMs), unit: 'ms' },
      { figure: '  of which start step done → client process started (±1 ms), median', value: median(launchMs), unit: 'ms' },
      { figure: 'floor: plain spawn → process start (no harness), median', value: spawnFloor, unit: 'ms' },
      { figure: 'socklab only (net - floor), median', value: median(harnessMs), unit: 'ms', ...verdict(median(harnessMs)) },
      { figure: 'socklab only (net - floor), p95', value: p95(harnessMs), unit: 'ms', ...verdict(p95(harnessMs)) },
      { figure: 'node -e 0 (spawn → exit), median', value: median(startup.nodeEvalZeroMs), unit: 'ms' },
      { figure: "start step's 'ready after' (spawn → seen ready), median", value: median(readyAfterMs), unit: 'ms' },
    ],
    samples: { rawMs, netMs, harnessMs, detectMs, launchMs, clientBootMs, readyAfterMs, ...startup },
    notes: [
      `${experiments} experiments run one at a time (-j 1), ready: { tcp: PORT }, which socklab checks in /proc/PID/net every 1 ms for the first 300 ms, then every 5 ms`,
      "net = the client's performance.timeOrigin (set as its Node process starts) minus the server's listen stamp: socklab's detection, bookkeeping and spawn, without Node's own boot",
    ],
  };
}

function writeSpecs(count) {
  const experiments = Array.from({ length: count }, (_, index) => ({
    id: `readiness-${String(index + 1).padStart(2, '0')}`,
    title: `readiness latency sample ${index + 1}`,
    steps: [{ start: 'stamp-server', args: ['{{ports.server}}'], ready: { tcp: '{{ports.server}}' } }, { run: 'stamp-client' }],
  }));
  const dir = path.join(tempDir('readiness-specs'), 'specs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'readiness.yaml'), stringify(experiments));
  return dir;
}

/** Outside socklab: how long a plain spawn takes until the Node process starts, and Node's boot after that. */
async function measureNodeStartup(runs, into) {
  for (let index = 0; index < runs; index += 1) {
    const spawnedAt = performance.timeOrigin + performance.now();
    const [processStart, firstStatement] = stamps((await runCommand(process.execPath, [clientFixture])).stdout, 'started');
    into.spawnToProcessStartMs.push(processStart - spawnedAt);
    into.nodeBootMs.push(firstStatement - processStart);
    into.nodeEvalZeroMs.push((await runCommand(process.execPath, ['-e', '0'])).ms);
  }
}

/** The numbers after `word` on the fixture's stamp line. */
function stamps(output, word) {
  const match = new RegExp(`^${word}((?: [\\d.]+)+)$`, 'm').exec(output);
  if (!match) throw new Error(`no "${word} <ms>" line in the fixture's output: ${JSON.stringify(output.slice(0, 200))}`);
  return match[1].trim().split(' ').map(Number);
}
