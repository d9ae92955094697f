// 11. A failing student graded fast: `socklab grade` of realistic failing submissions from the corpus
// (test/fixtures/corpus) against a passing one at the same task, graded back to back (ABBA order), so
// that the ratio says what failing costs and not how loaded the machine was. Issue #17's target: a
// failing realistic student costs at most 1.5× a passing one.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { root, socklab } from './lib/socklab.mjs';
import { median, pairedRatio } from './lib/stats.mjs';
import { tempDir } from './lib/temp.mjs';

export const name = 'failing-student';
export const title = 'a failing student graded vs a passing one at the same task';

const TARGET = 1.5;
const corpus = path.join(root, 'test', 'fixtures', 'corpus');

/** Per task: the passing submission, and failing ones written the way students fail (see their verdict.yaml). */
const TASKS = [
  { task: 'task1', passing: '01-handout-python3', failing: ['09-tcp-server-one-client-mail', '03-python2-whole'] },
  { task: 'task3', passing: '12-threaded-proxy-works', failing: ['14-proxy-hangs-bytes-loop'] },
];

export async function run({ repeat, jobs, log }) {
  const rounds = repeat(2);
  const figures = [];
  const samples = {};
  const notes = [];
  for (const { task, passing, failing } of TASKS) {
    for (const student of failing) {
      const pair = { passingMs: [], failingMs: [], scores: {} };
      for (let index = 0; index < rounds; index += 1) {
        for (const which of index % 2 ? [student, passing] : [passing, student]) {
          log(`${task}: grading ${which} (round ${index + 1}/${rounds})`);
          const graded = await grade(which, task, jobs);
          (which === passing ? pair.passingMs : pair.failingMs).push(graded.ms);
          pair.scores[which] = graded.score;
        }
      }
      samples[`${task} ${student}`] = pair;
      const value = pairedRatio(pair.failingMs, pair.passingMs);
      figures.push({ figure: `${task}: ${student} / ${passing}, wall (median of paired runs)`, value, unit: 'x', target: `≤ ${TARGET}×`, verdict: value <= TARGET ? 'met' : 'NOT met' });
      figures.push({ figure: `${task}: ${student}, median wall`, value: median(pair.failingMs), unit: 'ms' });
      notes.push(`${task}: ${passing} scored ${pair.scores[passing]}, ${student} ${pair.scores[student]} (same specs, -j ${jobs}, sandbox as by default)`);
    }
  }
  return { figures, samples, notes };
}

/** One `socklab grade SUBMISSION -s specs/TASK`, timed from spawn to exit, with the score it wrote. */
async function grade(student, task, jobs) {
  const out = tempDir('failing-student');
  const result = await socklab(['grade', path.join(corpus, student), '-s', path.join(root, 'specs', task), '-j', String(jobs), '-o', out, '-r', 'json'], { timeoutMs: 900_000 });
  const file = path.join(out, 'results.json');
  if (result.code > 1 || !existsSync(file)) throw new Error(`socklab grade ${student} (${task}): exit ${result.code ?? result.signal}: ${result.stderr.trim().slice(-300)}`);
  const results = JSON.parse(readFileSync(file, 'utf8'));
  return { ms: result.ms, score: `${results.score}/${results.maxScore}` };
}
