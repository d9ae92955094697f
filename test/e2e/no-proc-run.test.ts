// A native run on a platform without /proc (macOS, a BSD), as near as Linux gets to one: the CLI in a
// mount namespace of its own with an empty /proc, where Linux's lsof and ps fail as they would without
// it. The Task 1 TCP and UDP experiments still pass against the reference services, readiness by
// connecting; the run's record says what it went without, and each ready step how it was seen.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { cliPath, repoRoot } from '../support/paths.js';
import { TempDir } from '../support/temp-dir.js';

/** `socklab ARGS` with /proc hidden; resolves with its exit code and stderr. */
function runWithoutProc(args: string[]): Promise<{ exitCode: number | null; stderr: string }> {
  const script = 'mount -t tmpfs socklab-no-proc /proc && exec "$@"';
  const child = spawn('unshare', ['-m', '--propagation', 'private', '/bin/sh', '-c', script, 'sh', process.execPath, cliPath, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', SOCKLAB_READINESS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (exitCode) => resolve({ exitCode, stderr })));
}

describe('a native run without /proc', function () {
  this.timeout(120_000);
  let temp: TempDir;
  before(function () {
    // Hiding /proc takes a mount namespace (root, or CAP_SYS_ADMIN): pending where there is none.
    if (spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status !== 0) this.skip();
    temp = new TempDir();
  });
  after(() => temp?.remove());

  it('passes the Task 1 TCP and UDP experiments, readiness by connecting, and says what it went without', async () => {
    const specs = ['specs/task1/tcp-uppercase.yaml', 'specs/task1/udp-uppercase.yaml'];
    const run = await runWithoutProc(['run', ...specs, '-r', 'json', '-o', temp.path]);
    expect(run.exitCode, run.stderr).to.equal(0);
    const result = JSON.parse(readFileSync(path.join(temp.path, 'results.json'), 'utf8')) as RunResult;
    expect(result.status).to.equal('passed');
    expect(result.counts.passed).to.equal(result.counts.total).and.be.greaterThan(5);
    const { missing = [], limits } = result.environment;
    expect(missing[0]).to.match(/^readiness by connecting \(no \/proc, and lsof (does not work here|is not installed)/);
    expect(missing[1]).to.equal('no stillness detection (no /proc): run steps wait out their timeouts');
    expect(missing[2]).to.match(/^no sweep of escaped processes \(no \/proc, (ps does not run here|no ps)\): a program that leaves its process group may outlive the run$/);
    expect(missing).to.have.length(3);
    expect(limits).to.match(/^no cgroup v2 \(no \/proc\); pids: no cgroup \(no \/proc\); memory: no cgroup \(no \/proc\); /);
    // Said before the run too, once each.
    for (const line of missing) expect(run.stderr.split('\n').filter((said) => said === `socklab: note: ${line}`), line).to.have.length(1);
    const readyNotes = result.experiments.flatMap((experiment) => experiment.steps.flatMap((step) => step.notes ?? [])).filter((note) => note.startsWith('ready after'));
    expect(readyNotes.some((note) => note.endsWith('(seen by connecting)'))).to.equal(true);
    expect(readyNotes.some((note) => note.endsWith('(taken as there after 1000ms: UDP sockets cannot be seen without /proc or lsof)'))).to.equal(true);
  });
});
