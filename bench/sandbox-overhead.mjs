// 9. What the filesystem sandbox (bubblewrap) costs, measured side by side in one bench run:
//   - per program: one experiment of STEPS sequential `run` steps of /bin/true played as a submission's
//     role (`--role`), with `--sandbox` and without; the programs' own durations from results.json
//     (spawn to exit, as the harness sees them), so socklab's start-up is not in the figure;
//   - per student: `socklab grade` of a correct Python submission on Task 1, default (sandboxed) vs
//     `--no-sandbox`, in ABBA order so that drift in the machine's load favours neither.
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { runCommand } from './lib/processes.mjs';
import { root, socklab, socklabRun } from './lib/socklab.mjs';
import { median, pairedRatio } from './lib/stats.mjs';
import { tempDir } from './lib/temp.mjs';

export const name = 'sandbox-overhead';
export const title = 'filesystem sandbox (bubblewrap) vs none: per program and per graded student';

const STEPS = 20;
const submission = path.join(root, 'test', 'fixtures', 'submissions', 'correct');

export async function run({ repeat, log }) {
  if (!(await runCommand('bwrap', ['--version'])).stdout) throw new Error('bwrap is not installed (apt-get install bubblewrap)');
  const { specs, lab } = writeNoopExperiment();
  const programs = { sandboxedMs: [], plainMs: [] };
  const rounds = repeat(6);
  for (let round = 0; round < rounds; round += 1) {
    for (const sandboxed of round % 2 ? [false, true] : [true, false]) {
      log(`round ${round + 1}/${rounds}: ${STEPS} × /bin/true ${sandboxed ? 'in the sandbox' : 'unconfined'}`);
      const result = await socklabRun([specs, '--lab', lab, '--role', 'noop=/bin/true', ...(sandboxed ? ['--sandbox'] : [])]);
      if (result.results?.status !== 'passed') throw new Error(`noop experiment (${sandboxed ? 'sandboxed' : 'plain'}): exit ${result.code}: ${result.stderr.trim().slice(-300)}`);
      const durations = result.results.experiments[0].steps.map((step) => step.process.durationMs);
      if (sandboxed !== result.results.experiments[0].steps.every((step) => step.process.sandboxed === true)) throw new Error('the sandbox was not what was asked');
      (sandboxed ? programs.sandboxedMs : programs.plainMs).push(median(durations));
    }
  }

  const grading = { sandboxedMs: [], plainMs: [] };
  const student = path.join(tempDir('sandbox-student'), 'alice');
  cpSync(submission, student, { recursive: true, filter: (source) => !source.endsWith('socklab.yaml') });
  const gradeRounds = repeat(4);
  for (let round = 0; round < gradeRounds; round += 1) {
    for (const sandboxed of round % 2 ? [false, true] : [true, false]) {
      log(`round ${round + 1}/${gradeRounds}: grade Task 1 ${sandboxed ? 'sandboxed' : '--no-sandbox'}`);
      const out = tempDir('sandbox-grade');
      const result = await socklab(['grade', student, '-s', path.join(root, 'specs', 'task1'), '-o', out, ...(sandboxed ? [] : ['--no-sandbox'])], { timeoutMs: 600_000 });
      const file = path.join(out, 'results.json');
      const results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
      if (result.code !== 0 || results?.status !== 'passed') throw new Error(`grade (${sandboxed ? 'sandboxed' : 'plain'}): exit ${result.code}, ${results?.status}: ${result.stderr.trim().slice(-300)}`);
      (sandboxed ? grading.sandboxedMs : grading.plainMs).push(result.ms);
    }
  }

  return {
    figures: [
      { figure: 'one program (/bin/true), spawn to exit: sandboxed, median', value: median(programs.sandboxedMs), unit: 'ms' },
      { figure: 'one program (/bin/true), spawn to exit: unconfined, median', value: median(programs.plainMs), unit: 'ms' },
      { figure: 'one program: sandboxed / unconfined (median of paired rounds)', value: pairedRatio(programs.sandboxedMs, programs.plainMs), unit: 'x' },
      { figure: 'grade Task 1 (Python): sandboxed, median wall', value: median(grading.sandboxedMs), unit: 'ms' },
      { figure: 'grade Task 1 (Python): --no-sandbox, median wall', value: median(grading.plainMs), unit: 'ms' },
      { figure: 'grade Task 1: sandboxed / --no-sandbox (median of paired runs)', value: pairedRatio(grading.sandboxedMs, grading.plainMs), unit: 'x' },
    ],
    samples: { programs, grading },
    notes: [`${rounds} rounds of ${STEPS} programs each way; ${gradeRounds} grading runs each way, ABBA order`],
  };
}

/** A lab with one role, `noop`, and one experiment that runs it STEPS times. */
function writeNoopExperiment() {
  const dir = tempDir('sandbox-noop');
  const lab = path.join(dir, 'lab.yaml');
  writeFileSync(lab, stringify({ lab: 'sandbox bench', roles: { noop: { description: 'does nothing', usage: '', reference: ['true'] } } }));
  const experiment = { id: 'noop-programs', title: `${STEPS} programs one after another`, steps: Array.from({ length: STEPS }, () => ({ run: 'noop', expect: { exit: 0 } })) };
  const specs = path.join(dir, 'noop.yaml');
  writeFileSync(specs, stringify([experiment]));
  return { specs, lab };
}
