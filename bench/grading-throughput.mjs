// 5. Grading throughput in students per minute, Task 1 (specs/task1), for a correct Python submission
// and for the reference programs, at --jobs 1 and --jobs 2, with the peak RSS of the socklab process.
// With `socklab grade` available: one `grade --class` of K students per setting (the students share
// the job limit, as in real grading). Without it: K runs of `socklab run specs/task1` per setting,
// one student each, and the median of those.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { runCommand } from './lib/processes.mjs';
import { findOnPath } from './lib/services.mjs';
import { root, socklab, socklabRun } from './lib/socklab.mjs';
import { median, ratio } from './lib/stats.mjs';
import { tempDir } from './lib/temp.mjs';

export const name = 'grading-throughput';
export const title = 'students per minute on Task 1, --jobs 1 vs --jobs 2';

const JOBS = [1, 2];
const specs = path.join(root, 'specs', 'task1');
const pythonSubmission = path.join(root, 'test', 'fixtures', 'submissions', 'correct');
const TASK1_ROLES = ['tcp-server', 'tcp-client', 'udp-server', 'udp-client'];

export async function run({ repeat, log }) {
  const students = repeat(2);
  const python = await pythonWithoutShim();
  const env = { ...process.env, PATH: python.path };
  const help = await socklab(['grade', '--help']);
  const grade = help.code === 0 && help.stdout.includes('socklab grade');
  const subjects = ['python', 'reference'];
  const problems = [];
  const samples = Object.fromEntries(subjects.flatMap((subject) => JOBS.map((jobs) => [`${subject} -j ${jobs}`, { studentMs: [], peakRssKb: [] }])));

  // ABBA order (python -j 1, -j 2, then reference -j 2, -j 1) so that drift in the machine's load
  // does not favour one --jobs setting.
  const settings = subjects.flatMap((subject, index) => (index % 2 ? [...JOBS].reverse() : JOBS).map((jobs) => ({ subject, jobs, key: `${subject} -j ${jobs}` })));
  if (grade) {
    const classes = { python: makeClass('python', students, (dir) => cpSync(pythonSubmission, dir, { recursive: true })), reference: makeClass('reference', students, writeReferenceMap) };
    for (const { subject, jobs, key } of settings) {
      log(`socklab grade --class (${students} ${subject} students) -j ${jobs}`);
      const out = tempDir('grade-out');
      // The reference "students" run socklab's own programs, which the filesystem sandbox hides from
      // submissions: they are graded unconfined (the Python students in the sandbox, as by default).
      const sandbox = subject === 'reference' ? ['--no-sandbox'] : [];
      const result = await socklab(['grade', '--class', classes[subject], '-s', specs, '-j', String(jobs), '-o', out, ...sandbox], { env, peakRss: true, timeoutMs: 600_000 });
      problems.push(...notPassed(result, out, classes[subject], key));
      samples[key].studentMs.push(result.ms / students);
      samples[key].peakRssKb.push(result.peakRssKb);
    }
  } else {
    for (let student = 0; student < students; student += 1) {
      for (const { subject, jobs, key } of settings) {
        log(`student ${student + 1}/${students}: socklab run specs/task1 (${subject}) -j ${jobs}`);
        const submission = subject === 'python' ? ['--submission', pythonSubmission] : [];
        const result = await socklabRun([specs, '-j', String(jobs), ...submission], { env, peakRss: true, timeoutMs: 600_000 });
        if (!result.results || result.code > 1) throw new Error(`socklab run specs/task1 (${key}): exit ${result.code ?? result.signal}: ${result.stderr.trim().slice(-300)}`);
        if (result.results.status !== 'passed') problems.push(`${key}, student ${student + 1}: ${result.results.status}`);
        samples[key].studentMs.push(result.ms);
        samples[key].peakRssKb.push(result.peakRssKb);
      }
    }
  }

  const perMinute = (key) => 60_000 / median(samples[key].studentMs);
  return {
    figures: [
      ...subjects.flatMap((subject) => [
        ...JOBS.map((jobs) => ({ figure: `${subject} -j ${jobs}: students per minute`, value: perMinute(`${subject} -j ${jobs}`), unit: '/min' })),
        { figure: `${subject}: scaling -j 2 / -j 1`, value: ratio(perMinute(`${subject} -j 2`), perMinute(`${subject} -j 1`)), unit: 'x' },
      ]),
      { figure: 'peak RSS of socklab, max over runs', value: Math.max(...Object.values(samples).flatMap((sample) => sample.peakRssKb)) / 1024, unit: 'MiB' },
      { figure: 'python3 -c 0 via PATH, median', value: median(python.viaPathMs), unit: 'ms' },
      { figure: 'python3 -c 0 direct interpreter, median', value: median(python.directMs), unit: 'ms' },
    ],
    samples: { mode: grade ? 'socklab grade --class' : 'socklab run per student', students, ...samples, python },
    notes: [
      grade
        ? `socklab grade --class with ${students} students per setting; students per minute = ${students} / wall; Python students in the filesystem sandbox, reference ones with --no-sandbox (the sandbox hides socklab's own programs)`
        : `socklab grade not available: ${students} runs of socklab run specs/task1 per setting, students per minute = 60 s / median wall`,
      ...problems.map((problem) => `did not pass every experiment: ${problem}`),
      ...(python.shim ? [`python3 on PATH is a shim (${python.onPath}); grading ran with the interpreter itself first on PATH (${python.executable})`] : []),
    ],
  };
}

/** K student folders under one class folder, each filled by `fill(dir)`. */
function makeClass(subject, count, fill) {
  const classDir = path.join(tempDir(`class-${subject}`), 'class');
  for (let index = 1; index <= count; index += 1) {
    const dir = path.join(classDir, `${subject}-${String(index).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    fill(dir);
  }
  return classDir;
}

/** A "submission" whose socklab.yaml maps each Task 1 role to our reference program. */
function writeReferenceMap(dir) {
  const roles = Object.fromEntries(TASK1_ROLES.map((role) => [role, [process.execPath, path.join(root, 'dist', 'services', `${role}.js`), ...(role.endsWith('server') ? ['--host', '127.0.0.1'] : [])]]));
  writeFileSync(path.join(dir, 'socklab.yaml'), stringify({ roles }));
}

/** Names of students (or settings) that did not pass every experiment: noted, since they change what is timed. */
function notPassed(result, out, classDir, what) {
  if (result.code !== 0) throw new Error(`${what}: exit ${result.code ?? result.signal}: ${result.stderr.trim().slice(-400)}`);
  return readdirSync(classDir)
    .map((student) => {
      const file = path.join(out, student, 'results.json');
      return { student, status: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).status : 'no results.json' };
    })
    .filter(({ status }) => status !== 'passed')
    .map(({ student, status }) => `${what}: ${student} ${status}`);
}

/**
 * The python3 the lab's programs get. A version-manager shim (pyenv) costs a bash script per start;
 * a grading machine has a plain interpreter, so we put the interpreter itself first on PATH.
 */
async function pythonWithoutShim() {
  const onPath = findOnPath('python3');
  if (!onPath) throw new Error('python3 is not installed');
  const executable = (await runCommand('python3', ['-c', 'import sys; print(sys.executable)'])).stdout.trim();
  const shim = realpathSync(onPath) !== realpathSync(executable);
  let searchPath = process.env.PATH;
  // The interpreter's own folder, not a link in a temp folder: the sandbox gives each experiment a
  // /tmp of its own, where a link made in the machine's /tmp does not exist (every program then failed).
  if (shim) searchPath = `${path.dirname(executable)}${path.delimiter}${searchPath}`;
  const viaPathMs = [];
  const directMs = [];
  for (let index = 0; index < 5; index += 1) {
    viaPathMs.push((await runCommand('python3', ['-c', '0'])).ms);
    directMs.push((await runCommand(executable, ['-c', '0'])).ms);
  }
  return { onPath, executable, shim, path: searchPath, viaPathMs, directMs };
}
