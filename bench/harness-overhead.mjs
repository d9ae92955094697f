// 1. Harness overhead: the Task 1 TCP round trip (tcp-lowercase) run by `socklab run` against the same
// steps in a plain bash script, alone and as 20 experiments at once. Runs alternate between the two
// so that a slow patch of the machine hits both alike.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { runCommand } from './lib/processes.mjs';
import { freePort, freePorts } from './lib/ports.mjs';
import { assertPassed, root, socklabRun } from './lib/socklab.mjs';
import { median, pairedRatio } from './lib/stats.mjs';
import { tempDir } from './lib/temp.mjs';

export const name = 'harness-overhead';
export const title = 'socklab vs a bash script for the Task 1 TCP round trip';

const EXPERIMENT_ID = 'tcp-lowercase';
const PARALLEL_COPIES = 20;
const script = path.join(root, 'bench', 'baseline', 'tcp-roundtrip.sh');

// Issue #17's targets. The fixed cost is measured against 0.44 s, socklab's start-up and reports for
// one experiment when the issue was filed (README, `npm run bench -- --quick` of 2026-11-25).
const FIXED_COST_BEFORE_MS = 440;
const target = (value, limit, what) => ({ target: `≤ ${what}`, verdict: value <= limit ? 'met' : 'NOT met' });

export async function run({ repeat, jobs, log }) {
  const single = { socklabMs: [], socklabExperimentMs: [], bashMs: [] };
  const singleRuns = repeat(7);
  for (let index = 0; index < singleRuns; index += 1) {
    log(`single experiment ${index + 1}/${singleRuns}`);
    for (const which of index % 2 ? ['bash', 'socklab'] : ['socklab', 'bash']) {
      if (which === 'socklab') {
        const run = await socklabRun([EXPERIMENT_ID]);
        assertPassed(run, `socklab run ${EXPERIMENT_ID}`);
        single.socklabMs.push(run.ms);
        single.socklabExperimentMs.push(run.results.experiments[0].durationMs);
      } else {
        single.bashMs.push(await bashRoundTrip([await freePort()], 1));
      }
    }
  }

  const specDir = writeParallelSpecs();
  const parallel = { socklabMs: [], bashMs: [] };
  const parallelRuns = repeat(3);
  for (let index = 0; index < parallelRuns; index += 1) {
    log(`${PARALLEL_COPIES} experiments, ${jobs} at a time, ${index + 1}/${parallelRuns}`);
    for (const which of index % 2 ? ['bash', 'socklab'] : ['socklab', 'bash']) {
      if (which === 'socklab') {
        const run = await socklabRun([specDir, '-j', String(jobs)]);
        assertPassed(run, `socklab run (${PARALLEL_COPIES} copies)`);
        parallel.socklabMs.push(run.ms);
      } else {
        parallel.bashMs.push(await bashRoundTrip(await freePorts(PARALLEL_COPIES), jobs));
      }
    }
  }

  const fixedCost = single.socklabMs.map((ms, index) => ms - single.socklabExperimentMs[index]);
  const singleRatio = pairedRatio(single.socklabMs, single.bashMs);
  const parallelRatio = pairedRatio(parallel.socklabMs, parallel.bashMs);
  return {
    figures: [
      { figure: '1 experiment: socklab run, median wall', value: median(single.socklabMs), unit: 'ms' },
      { figure: '1 experiment: bash script, median wall', value: median(single.bashMs), unit: 'ms' },
      { figure: '1 experiment: socklab / bash (median of paired runs)', value: singleRatio, unit: 'x', ...target(singleRatio, 1.5, '1.5×') },
      { figure: '1 experiment: inside socklab (results.json)', value: median(single.socklabExperimentMs), unit: 'ms' },
      { figure: '1 experiment: socklab fixed cost (wall - experiment)', value: median(fixedCost), unit: 'ms', ...target(median(fixedCost), FIXED_COST_BEFORE_MS / 2, `${FIXED_COST_BEFORE_MS / 2} ms (0.5× the ${FIXED_COST_BEFORE_MS} ms before)`) },
      { figure: `${PARALLEL_COPIES} experiments -j ${jobs}: socklab, median wall`, value: median(parallel.socklabMs), unit: 'ms' },
      { figure: `${PARALLEL_COPIES} experiments: bash via xargs -P ${jobs}, median wall`, value: median(parallel.bashMs), unit: 'ms' },
      { figure: `${PARALLEL_COPIES} experiments: socklab / bash (median of paired runs)`, value: parallelRatio, unit: 'x', ...target(parallelRatio, 1.1, '1.1×') },
    ],
    samples: { single, parallel, fixedCostMs: fixedCost },
    notes: [`${singleRuns} runs each alone, ${parallelRuns} runs each of ${PARALLEL_COPIES} experiments; socklab includes its own start-up and spec loading`],
  };
}

/** The experiment copied PARALLEL_COPIES times under distinct ids, into a spec folder of its own. */
function writeParallelSpecs() {
  const experiments = parse(readFileSync(path.join(root, 'specs', 'task1', 'tcp-uppercase.yaml'), 'utf8'));
  const original = experiments.find((experiment) => experiment.id === EXPERIMENT_ID);
  const copies = Array.from({ length: PARALLEL_COPIES }, (_, index) => ({ ...original, id: `${EXPERIMENT_ID}-copy-${String(index + 1).padStart(2, '0')}` }));
  const dir = path.join(tempDir('overhead-specs'), 'specs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'copies.yaml'), stringify(copies));
  return dir;
}

/** The baseline script once, or once per port `parallel` at a time (xargs -P), timed as a whole. */
async function bashRoundTrip(ports, parallel) {
  const result =
    ports.length === 1
      ? await runCommand('bash', [script, String(ports[0])], { cwd: root, timeoutMs: 60_000 })
      : await runCommand('xargs', ['-P', String(parallel), '-n', '1', 'bash', script], { cwd: root, input: `${ports.join('\n')}\n`, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`bash baseline failed (exit ${result.code ?? result.signal}): ${result.stderr.trim().slice(-300)}`);
  return result.ms;
}
