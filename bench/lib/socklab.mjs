// Running the socklab CLI the way a user does, timed from spawn to exit, and reading the
// results.json it wrote.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './processes.mjs';
import { tempDir } from './temp.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'bin', 'socklab.js');

/** `socklab run ARGS -r json -o TMP`: { ms, code, results, stderr, peakRssKb }. */
export async function socklabRun(args, { env, peakRss = false, timeoutMs } = {}) {
  const out = tempDir('out');
  const result = await runCommand(process.execPath, [bin, 'run', ...args, '-r', 'json', '-o', out], { cwd: root, env, peakRss, timeoutMs });
  const file = path.join(out, 'results.json');
  const results = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
  return { ...result, results };
}

/** Any other socklab command, e.g. `grade`. */
export function socklab(args, options = {}) {
  return runCommand(process.execPath, [bin, ...args], { cwd: root, ...options });
}

/** Throws with the reason when a socklab run the benchmark relies on did not pass. */
export function assertPassed(run, what) {
  if (run.code === 0 && run.results?.status === 'passed') return;
  const failed = run.results?.experiments?.filter((experiment) => experiment.status !== 'passed').map((experiment) => experiment.id) ?? [];
  throw new Error(`${what}: socklab exited ${run.code ?? run.signal}${failed.length ? ` (not passed: ${failed.slice(0, 5).join(', ')})` : ''}: ${run.stderr.trim().slice(-400)}`);
}
