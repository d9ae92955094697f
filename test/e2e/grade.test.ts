// `socklab grade` end to end: the reference self-check, a submission found by file names, the
// Gradescope output validated against the published format, class runs, shards and merge.
import { expect } from 'chai';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { RunResult } from '../../harness/model/result.js';
import { findTaggedProcesses } from '../../harness/process/process-sweep.js';
import { gradescopeResultsSchema } from '../support/gradescope-schema.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';

const correct = path.join(repoRoot, 'test', 'fixtures', 'submissions', 'correct');
const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

describe('socklab grade (end to end)', function () {
  this.timeout(300_000);
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  it('--reference scores full marks on every spec', async function () {
    // The specs run chromium (browser steps) and curl (a role). Without tcpdump their captures are
    // skipped, which the harness does not count against the program.
    needsTool(this, 'chromium', 'curl');
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['grade', '--reference', '-o', out], { cwd: repoRoot, timeoutMs: 280_000 });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    const run = readJson<RunResult>(path.join(out, 'results.json'));
    expect(run.counts.total).to.be.greaterThanOrEqual(35);
    expect(run.score).to.equal(run.maxScore);
    expect(run.experiments.some((experiment) => experiment.tags.includes('reference'))).to.equal(false);
  });

  it('grades a submission by file names and writes Gradescope results that validate against the format', async () => {
    const submission = path.join(temp.path, 'alice');
    cpSync(correct, submission, { recursive: true, filter: (source) => !source.endsWith('socklab.yaml') });
    const out = path.join(temp.path, 'out');
    const gradescopeFile = path.join(temp.path, 'results.json');
    const cli = await runCli(['grade', submission, '-s', 'specs/task1', '-g', 'tcp-lowercase|udp-lowercase|p1-', '-o', out, '--gradescope', gradescopeFile], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    const run = readJson<RunResult>(path.join(out, 'results.json'));
    expect(run.submission?.programs).to.deep.equal({ 'tcp-server': 'TCPServer.py', 'tcp-client': 'TCPClient.py', 'udp-server': 'UDPServer.py', 'udp-client': 'UDPClient.py' });
    expect(run.submission?.missing).to.deep.equal(['web-server', 'proxy', 'mail-client']);
    const failures = run.experiments.flatMap((experiment) => experiment.failures.map((failure) => `${experiment.id}: ${failure.message}`)).join('\n');
    expect(run.experiments.map((experiment) => [experiment.id, experiment.status]), failures).to.deep.equal([
      // Blame isolation: each of the student's programs meets a reference partner, for half the points;
      // problem 1 is about the client (judge: client), which gets all of its point.
      ['p1-tcp-client-before-server.client', 'passed'],
      ['tcp-lowercase.server', 'passed'],
      ['tcp-lowercase.client', 'passed'],
      ['udp-lowercase.server', 'passed'],
      ['udp-lowercase.client', 'passed'],
    ]);
    const gradescope = readJson<{ score: number; max_score: number; tests: Array<{ name: string; status: string }> }>(gradescopeFile);
    const validate = new Ajv2020({ strict: false }).compile(gradescopeResultsSchema);
    expect(validate(gradescope), JSON.stringify(validate.errors)).to.equal(true);
    expect(gradescope).to.include({ score: 3, max_score: 3 });
    expect(gradescope.tests.map((test) => test.status)).to.deep.equal(Array(5).fill('passed'));
    expect(readFileSync(gradescopeFile, 'utf8')).to.equal(readFileSync(path.join(out, 'gradescope.json'), 'utf8'));
  });

  it('a missing role fails its own half with "no program for role"; the program that is there earns its half', async () => {
    const submission = temp.write('bob/TCPServer.py', readFileSync(path.join(correct, 'TCPServer.py'), 'utf8'));
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['grade', path.dirname(submission), '-s', 'specs/task1', '-g', '^tcp-lowercase$', '-o', out], { cwd: repoRoot });
    expect(cli.exitCode).to.equal(0);
    const [server, client] = readJson<RunResult>(path.join(out, 'results.json')).experiments;
    expect([server.id, server.status, server.score]).to.deep.equal(['tcp-lowercase.server', 'passed', 0.5]);
    expect([client.id, client.status, client.score]).to.deep.equal(['tcp-lowercase.client', 'failed', 0]);
    expect(client.failures[0].message).to.equal(
      'no program for role tcp-client in the submission (looked for TCPClient.py, TCPClient.java, TCPClient.c, TCPClient.js, and for a TCP client (connect without bind or listen) in any file)',
    );
  });

  it('grades 30 students in parallel with bounded concurrency, then shards merge into the same gradebook', async () => {
    const classDir = path.join(temp.path, 'class');
    for (let index = 1; index <= 30; index += 1) {
      cpSync(correct, path.join(classDir, `student${String(index).padStart(2, '0')}`), { recursive: true, filter: (source) => !source.endsWith('socklab.yaml') });
    }
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['grade', '--class', classDir, '-s', 'specs/task1', '-g', '^tcp-lowercase$', '-j', '3', '-o', out], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    expect(cli.stdout).to.match(/\[30\/30\] student\d\d: 1\/1 points/);
    const csv = readFileSync(path.join(out, 'grades.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).to.equal('student,tcp-lowercase.server,tcp-lowercase.client,total,max,why');
    expect(csv.slice(1), csv.join('\n')).to.deep.equal(Array.from({ length: 30 }, (_, index) => `student${String(index + 1).padStart(2, '0')},0.5,0.5,1,1,`));
    expect(existsSync(path.join(out, 'class.html'))).to.equal(true);
    expect(existsSync(path.join(out, 'student07', 'index.html'))).to.equal(true);

    // Never more than 3 experiments at once: their time intervals overlap at most 3 deep (start times are
    // whole milliseconds and durations rounded, so a hand-over within 5 ms is not an overlap).
    const intervals = csv.slice(1).flatMap((row) =>
      readJson<RunResult>(path.join(out, row.split(',')[0], 'results.json')).experiments.map((experiment) => {
        const start = Date.parse(experiment.startedAt);
        return [start, start + experiment.durationMs] as const;
      }),
    );
    const deepest = Math.max(...intervals.map(([start]) => intervals.filter(([from, to]) => from <= start && start < to - 5).length));
    expect(deepest).to.be.at.most(3);
    expect(findTaggedProcesses(`${cli.pid}-`)).to.deep.equal([]);

    for (const shard of ['1/2', '2/2']) {
      const run = await runCli(['grade', '--class', classDir, '-s', 'specs/task1', '-g', '^tcp-lowercase$', '--shard', shard, '-o', path.join(temp.path, `shard${shard[0]}`)], { cwd: repoRoot });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.stdout).to.contain('[15/15]');
    }
    const merged = path.join(temp.path, 'merged');
    const merge = await runCli(['merge', path.join(temp.path, 'shard1'), path.join(temp.path, 'shard2'), '-o', merged], { cwd: repoRoot });
    expect(merge.exitCode, merge.stderr).to.equal(0);
    expect(readFileSync(path.join(merged, 'grades.csv'), 'utf8')).to.equal(readFileSync(path.join(out, 'grades.csv'), 'utf8'));
  });

  it('gradescope/run_autograder grades /autograder/submission into /autograder/results/results.json', async () => {
    const base = path.join(temp.path, 'autograder');
    cpSync(correct, path.join(base, 'submission'), { recursive: true, filter: (source) => !source.endsWith('socklab.yaml') });
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync('bash', [path.join(repoRoot, 'gradescope', 'run_autograder')], {
      env: { ...process.env, AUTOGRADER: base, SOCKLAB_SOURCE: repoRoot, SOCKLAB_SPECS: 'specs/task1/tcp-uppercase.yaml' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    const results = readJson<{ score: number; max_score: number }>(path.join(base, 'results', 'results.json'));
    expect(new Ajv2020({ strict: false }).compile(gradescopeResultsSchema)(results)).to.equal(true);
    // The spec's experiments beyond the handout (tagged extra) are reported but earn no points: only
    // tcp-lowercase's point is left (its two halves).
    expect(results.max_score).to.equal(1);
    expect(results.score).to.equal(1);
  });

  it('grades the sample class: the expected grades.csv, and feedback that names each mistake', async () => {
    const classDir = path.join(temp.path, 'class');
    const students = ['student-correct', 'student-hardcoded-port', 'student-one-request', 'student-python2', 'student-upper', 'student-web-no-404'];
    for (const student of students) cpSync(path.join(repoRoot, 'test', 'fixtures', 'submissions', student), path.join(classDir, student), { recursive: true });
    const out = path.join(temp.path, 'out');
    const experiments = '^(p1-tcp-client-before-server|tcp-lowercase|tcp-non-ascii|tcp-several-clients)$';
    const cli = await runCli(['grade', '--class', classDir, '-s', 'specs/task1', '-g', experiments, '-o', out], { cwd: repoRoot, timeoutMs: 280_000 });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    // Each experiment is graded in halves (the student's server with the reference client, and the
    // other way round), problem 1 (about the client) as a whole; tcp-non-ascii goes beyond the handout (its own program upper-cases é), so it is
    // reported but earns nothing.
    expect(readFileSync(path.join(out, 'grades.csv'), 'utf8')).to.equal(
      [
        'student,p1-tcp-client-before-server.client,tcp-several-clients.server,tcp-several-clients.client,tcp-lowercase.server,tcp-lowercase.client,tcp-non-ascii.server,tcp-non-ascii.client,total,max,why',
        'student-correct,1,2.5,2.5,0.5,0.5,0,0,7,7,',
        // Its client hard-codes localhost:12000: in each experiment's world that reaches the server, so
        // it has the points of what works (the strict command-line experiment is not among these).
        'student-hardcoded-port,1,2.5,2.5,0.5,0.5,0,0,7,7,',
        // Its server exits after one request: only the server's half of several-clients is lost.
        'student-one-request,1,0,2.5,0.5,0.5,0,0,4.5,7,server exits after one request (TCPServer.py)',
        'student-python2,0,0,0,0,0,0,0,0,7,"Python 2 (TCPClient.py, TCPServer.py)"',
        // Its str.upper() fails tcp-non-ascii, which goes beyond the handout: nothing lost, no why.
        'student-upper,1,2.5,2.5,0.5,0.5,0,0,7,7,',
        'student-web-no-404,1,2.5,2.5,0.5,0.5,0,0,7,7,',
        '',
      ].join('\n'),
    );
    const upper = readJson<RunResult>(path.join(out, 'student-upper', 'results.json')).experiments;
    expect(upper.filter((experiment) => experiment.status === 'failed').map((experiment) => experiment.id)).to.deep.equal(['tcp-non-ascii.server']);
    const feedback = (student: string) =>
      [...new Set(readJson<RunResult>(path.join(out, student, 'results.json')).experiments.flatMap((experiment) => (experiment.feedback ?? []).map((item) => item.code)))].sort();
    expect(feedback('student-correct')).to.deep.equal([]);
    expect(feedback('student-hardcoded-port')).to.include('ignores-cli-port');
    expect(feedback('student-one-request')).to.deep.equal(['server-exits-after-one-request']);
    expect(feedback('student-python2')).to.deep.equal(['python2']);
    expect(feedback('student-upper')).to.deep.equal(['unicode-upper']);
    const classPage = readFileSync(path.join(out, 'class.html'), 'utf8');
    expect(classPage).to.contain('tcp-several-clients.server</strong>');
  });
});
