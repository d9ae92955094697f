// Resource limits of untrusted programs against real processes: the defaults as the program itself
// sees them, each limit hit (CPU, file size, open files), javac/java, node and python3 working under
// the defaults, the fallbacks when cgroups or prlimit are missing, and the cleanup of cgroups.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Program } from '../../harness/process/program.js';
import { limitSupport, overrideLimitSupport, type LimitSupport } from '../../harness/process/limit-support.js';
import { createGroup, groupsOf, sweepStaleGroups } from '../../harness/process/cgroup-groups.js';
import { DEFAULT_LIMITS, FALLBACK_ADDRESS_SPACE_BYTES, formatBytes, type ResourceLimits } from '../../harness/process/resource-limits.js';
import { TempDir } from '../support/temp-dir.js';
import { loadInline, renderedErrors } from '../support/spec-source.js';

let counter = 0;
const env = { PATH: process.env.PATH ?? '' };

async function runToEnd(command: string[], options: { limits?: Partial<ResourceLimits>; cwd?: string; ms?: number } = {}) {
  const program = new Program({ command, cwd: options.cwd ?? '/tmp', env, tag: `hostile-limits-${process.pid}-${counter++}`, limits: options.limits });
  const exit = await program.waitForExit(options.ms ?? 20_000);
  await program.stop();
  return { program, exit, result: program.result({ stillRunning: !exit }), notes: program.limitNotes };
}

/**
 * What a program sees of its own limits: /proc/self/limits and the limit files of its own cgroups, in
 * cgroup v1 (pids.max, memory.limit_in_bytes) or in cgroup v2 (pids.max, memory.max; hybrid or unified).
 */
const SHOW_LIMITS = [
  'sh',
  '-c',
  `grep -E '^Max (cpu time|file size|open files|core file size|address space|processes)' /proc/self/limits
for controller in pids memory; do
  own=$(grep ":$controller:" /proc/self/cgroup | cut -d: -f3)
  echo "$controller $own"
done
v2=$(grep '^0::' /proc/self/cgroup | cut -d: -f3)
echo "v2 $v2"
for file in "/sys/fs/cgroup/pids$(grep ':pids:' /proc/self/cgroup | cut -d: -f3)/pids.max" "/sys/fs/cgroup/unified$v2/pids.max" "/sys/fs/cgroup$v2/pids.max"; do
  [ -f "$file" ] && { cat "$file"; break; }
done
for file in "/sys/fs/cgroup/memory$(grep ':memory:' /proc/self/cgroup | cut -d: -f3)/memory.limit_in_bytes" "/sys/fs/cgroup/unified$v2/memory.max" "/sys/fs/cgroup$v2/memory.max"; do
  [ -f "$file" ] && { cat "$file"; break; }
done`,
];

/** A Java program that allocates and touches 200 MB. */
const ALLOC_JAVA =
  'public class Alloc { public static void main(String[] a) { byte[][] b = new byte[200][]; for (int i = 0; i < 200; i++) { b[i] = new byte[1 << 20]; b[i][0] = 1; } System.out.println("java 200"); } }\n';

function limitLine(output: string, name: string): string[] {
  const line = output.split('\n').find((candidate) => candidate.startsWith(`Max ${name}`));
  expect(line, `${name} in\n${output}`).to.not.equal(undefined);
  return line!.slice(`Max ${name}`.length).trim().split(/\s+/);
}

describe('resource limits of untrusted programs', function () {
  this.timeout(60_000);
  let support: LimitSupport;
  before(() => {
    support = limitSupport();
  });
  afterEach(() => overrideLimitSupport(null));

  it('finds pids and memory cgroups (v1 or v2) and prlimit here (root)', () => {
    expect(support.missing).to.deep.equal({});
    for (const controller of ['pids', 'memory'] as const) expect(Boolean(support.cgroups[controller]) || support.unified?.controllers.includes(controller), controller).to.equal(true);
    expect(support.prlimit).to.match(/\/prlimit$/);
  });

  it('applies the defaults: the program sees its rlimits and its own cgroups, and no note is added', async () => {
    const { result, notes } = await runToEnd(SHOW_LIMITS);
    expect(result.exitCode, result.stderr).to.equal(0);
    const output = result.stdout;
    expect(limitLine(output, 'cpu time').slice(0, 2)).to.deep.equal(['60', '61']);
    expect(limitLine(output, 'file size').slice(0, 2)).to.deep.equal([String(DEFAULT_LIMITS.fileSizeBytes), String(DEFAULT_LIMITS.fileSizeBytes)]);
    expect(limitLine(output, 'open files').slice(0, 2)).to.deep.equal(['1024', '1024']);
    expect(limitLine(output, 'core file size').slice(0, 2)).to.deep.equal(['0', '0']);
    expect(limitLine(output, 'address space')[0]).to.equal('unlimited');
    for (const controller of ['pids', 'memory'] as const) {
      const line = support.unified?.controllers.includes(controller) ? 'v2' : controller;
      expect(output).to.match(new RegExp(`^${line} .*/socklab/${process.pid}-\\d+$`, 'm'));
    }
    expect(output).to.match(/^256$/m);
    expect(output).to.match(new RegExp(`^${DEFAULT_LIMITS.memoryBytes}$`, 'm'));
    expect(notes).to.deep.equal([]);
  });

  it('execs all the way down: the pid the harness holds is the program itself', async () => {
    const program = new Program({ command: ['sleep', '30'], cwd: '/tmp', env, tag: `hostile-limits-${process.pid}-${counter++}` });
    const commandLine = () => readFileSync(`/proc/${program.pid}/cmdline`, 'utf8').split('\0');
    // The wrapper (sh, then prlimit) replaces itself; wait until the last exec happened.
    for (let waited = 0; waited < 5000 && !commandLine()[0].endsWith('sleep'); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const seen = commandLine();
    await program.stop();
    expect(seen).to.deep.equal(['/usr/bin/sleep', '30', '']);
    expect(program.result({ stillRunning: true }).signal).to.equal('SIGTERM');
  });

  it('CPU: a busy loop is killed by SIGXCPU at its limit, and the note says so', async () => {
    const { result, notes } = await runToEnd([process.execPath, '-e', 'for (;;) {}'], { limits: { cpuSeconds: 1 } });
    expect(result.signal).to.equal('SIGXCPU');
    expect(result.killed).to.equal(false);
    expect(notes).to.deep.equal(['CPU time limit (1s) reached: killed by SIGXCPU']);
  });

  it('file size: a C program writing past the limit dies of SIGXFSZ (noted); node, which ignores it, gets EFBIG', async () => {
    const temp = new TempDir();
    try {
      const limits = { fileSizeBytes: 1024 * 1024 };
      const dd = await runToEnd(['dd', 'if=/dev/zero', 'of=big', 'bs=1M', 'count=2'], { cwd: temp.path, limits });
      expect(dd.result.signal, dd.result.stderr).to.equal('SIGXFSZ');
      expect(dd.notes).to.deep.equal(['file size limit (1 MiB) reached: killed by SIGXFSZ']);
      expect(statSync(path.join(temp.path, 'big')).size).to.equal(1024 * 1024);
      const node = await runToEnd([process.execPath, '-e', `require('fs').writeFileSync('big2', Buffer.alloc(2 * 1024 * 1024))`], { cwd: temp.path, limits });
      expect(node.result.exitCode).to.equal(1);
      expect(node.result.stderr).to.contain('EFBIG: file too large');
    } finally {
      temp.remove();
    }
  });

  it('open files: opening past the limit fails with EMFILE inside the program', async () => {
    const script = `const fs = require('fs'); let n = 0; try { for (;;) { fs.openSync('/dev/null'); n++; } } catch (e) { console.log(e.code, 'after', n); }`;
    const { result } = await runToEnd([process.execPath, '-e', script], { limits: { openFiles: 64 } });
    const opened = Number(/^EMFILE after (\d+)$/m.exec(result.stdout)?.[1]);
    expect(opened, result.stdout + result.stderr).to.be.greaterThan(0);
    expect(opened).to.be.lessThan(64);
  });

  it('node and python3 allocate 200 MB under the default limits', async () => {
    const node = await runToEnd([process.execPath, '-e', 'const b = Buffer.alloc(200 * 1024 * 1024, 1); console.log("node", b.length)']);
    expect(node.result.stdout, node.result.stderr).to.equal(`node ${200 * 1024 * 1024}\n`);
    const python = await runToEnd(['python3', '-c', 'b = bytearray(200 * 1024 * 1024); print("python", len(b))']);
    expect(python.result.stdout, python.result.stderr).to.equal(`python ${200 * 1024 * 1024}\n`);
  });

  it('javac builds and java allocates 200 MB under the default limits (no RLIMIT_AS, which java needs > 3 GiB of)', async () => {
    const temp = new TempDir();
    try {
      temp.write('Alloc.java', ALLOC_JAVA);
      const javac = await runToEnd(['javac', 'Alloc.java'], { cwd: temp.path, ms: 50_000 });
      expect(javac.result.exitCode, javac.result.stderr).to.equal(0);
      const java = await runToEnd(['java', '-cp', temp.path, 'Alloc'], { cwd: temp.path, ms: 50_000 });
      expect(java.result.stdout, java.result.stderr).to.equal('java 200\n');
      expect(java.notes).to.deep.equal([]);
    } finally {
      temp.remove();
    }
  });

  it('falls back to RLIMIT_AS and RLIMIT_NPROC without cgroups (not root), and says so in one note', async () => {
    overrideLimitSupport({ ...support, cgroups: {}, unified: undefined, root: false, missing: { pids: 'cannot write /x (EACCES, not root)', memory: 'cannot write /y (EACCES, not root)' } });
    const { result, notes } = await runToEnd(SHOW_LIMITS);
    expect(limitLine(result.stdout, 'address space')[0]).to.equal(String(FALLBACK_ADDRESS_SPACE_BYTES));
    expect(Number(limitLine(result.stdout, 'processes')[0])).to.be.greaterThan(DEFAULT_LIMITS.processes);
    expect(result.stdout).to.not.contain('/socklab/');
    expect(notes).to.deep.equal([
      'resource limits fall back: processes limited per user by RLIMIT_NPROC, not per program (pids cgroup: cannot write /x (EACCES, not root)); ' +
        `memory limited per process by RLIMIT_AS ${formatBytes(FALLBACK_ADDRESS_SPACE_BYTES)} (memory cgroup: cannot write /y (EACCES, not root))`,
    ]);
  });

  it('java starts and allocates 200 MB under the fallback RLIMIT_AS (no memory cgroup, as in a container)', async () => {
    overrideLimitSupport({ ...support, cgroups: {}, missing: { pids: 'cannot write /x (EROFS)', memory: 'cannot write /y (EROFS)' } });
    const temp = new TempDir();
    try {
      temp.write('Alloc.java', ALLOC_JAVA);
      // Source-file mode: javac runs inside that same JVM, under the same limit.
      const java = await runToEnd(['java', 'Alloc.java'], { cwd: temp.path, ms: 50_000 });
      expect(java.result.stdout, java.result.stderr).to.equal('java 200\n');
      expect(java.notes.join('\n')).to.contain(`RLIMIT_AS ${formatBytes(FALLBACK_ADDRESS_SPACE_BYTES)}`);
    } finally {
      temp.remove();
    }
  });

  it('as root without cgroups or prlimit, says that nothing bounds processes, memory or CPU, and runs the program unwrapped', async () => {
    overrideLimitSupport({ cgroups: {}, prlimit: null, root: true, missing: { pids: 'cgroup v2: pids is not enabled in /sys/fs/cgroup/cgroup.subtree_control', memory: 'cgroup v2: memory is not enabled in /sys/fs/cgroup/cgroup.subtree_control', prlimit: 'prlimit not found (apt-get install util-linux)' } });
    const { result, notes } = await runToEnd(SHOW_LIMITS);
    expect(limitLine(result.stdout, 'cpu time')[0]).to.equal('unlimited');
    expect(notes).to.deep.equal([
      'resource limits fall back: no process limit (pids cgroup: cgroup v2: pids is not enabled in /sys/fs/cgroup/cgroup.subtree_control; RLIMIT_NPROC does not bind root); ' +
        'no memory limit (memory cgroup: cgroup v2: memory is not enabled in /sys/fs/cgroup/cgroup.subtree_control); no CPU, file size or open-file limits (prlimit not found (apt-get install util-linux))',
    ]);
  });

  it('reads `limits:` from a spec, in sizes and durations, and points at a wrong one', () => {
    const { experiments, diagnostics } = loadInline(`id: a\ntitle: A\nlimits: { cpu: 2.5s, memory: 1.5GiB, processes: 64, fileSize: 10MB, openFiles: 100 }\nsteps: [{ sleep: 1ms }]\n`);
    expect(diagnostics).to.deep.equal([]);
    expect(experiments[0].experiment.limits).to.deep.equal({ cpuSeconds: 3, memoryBytes: 1.5 * 1024 ** 3, processes: 64, fileSizeBytes: 10_000_000, openFiles: 100 });
    expect(loadInline(`id: a\ntitle: A\nsteps: [{ sleep: 1ms }]\n`).experiments[0].experiment.limits).to.equal(undefined);
    expect(renderedErrors(`id: a\ntitle: A\nlimits: { memory: lots }\nsteps: [{ sleep: 1ms }]\n`)).to.deep.equal([
      'spec.yaml:3:19: error: limits.memory: expected a size such as 512MiB, 1GiB or 64MB (a bare number is bytes), got "lots"\n' +
        '  3 | limits: { memory: lots }\n' +
        '    |                   ^^^^',
    ]);
  });

  it('keeps a program that cannot be executed a spawn error (EACCES), not an exit code of the wrapper', async () => {
    const temp = new TempDir();
    try {
      const file = temp.write('not-executable.sh', 'echo hi\n');
      chmodSync(file, 0o644);
      const { result } = await runToEnd([file]);
      expect(result.spawnError).to.deep.equal({ code: 'EACCES', message: `program not executable: ${file} (check its permissions)` });
    } finally {
      temp.remove();
    }
  });

  it('removes its cgroups when the program is stopped, and sweeps those a dead harness left', async () => {
    const bases = [...(support.unified ? [support.unified.base] : []), ...Object.values(support.cgroups)];
    const before = bases.flatMap((base) => groupsOf(base, process.pid));
    const { result } = await runToEnd(['true']);
    expect(result.exitCode).to.equal(0);
    expect(bases.flatMap((base) => groupsOf(base, process.pid))).to.deep.equal(before);

    const dead = spawnSync('true').pid!;
    const base = support.cgroups.pids ?? support.unified!.base;
    mkdirSync(base, { recursive: true });
    const stale = createGroup(base, `${dead}-0`, [['pids.max', '8']]);
    expect(existsSync(stale)).to.equal(true);
    await sweepStaleGroups(base);
    expect(existsSync(stale)).to.equal(false);
  });
});
