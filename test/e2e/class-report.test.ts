// The class report end to end: a small class from test/fixtures/submissions graded on Task 1, then on
// Tasks 1 and 2 in two shards merged into one folder. grades.csv exactly, missing roles of the graded
// tasks only, "not handed in", the why column, and every link of class.html reaching a file and section.
import { expect } from 'chai';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { gradedExperiment, gradedRun } from '../support/class-results.js';
import path from 'node:path';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';

const submissions = path.join(repoRoot, 'test', 'fixtures', 'submissions');

/** Every link of a class report, checked: a file that exists (relative to the report) and, after `#`, an element with that id. */
function brokenLinks(classReport: string): string[] {
  const folder = path.dirname(classReport);
  const page = readFileSync(classReport, 'utf8');
  const links = [...page.matchAll(/href="([^"]+)"/g)].map((match) => match[1].replace(/&amp;/g, '&'));
  expect(links.length).to.be.greaterThan(0);
  return links.filter((link) => {
    const [file, fragment] = link.split('#');
    const target = file ? path.join(folder, decodeURIComponent(file)) : classReport;
    if (!existsSync(target)) return true;
    return fragment !== undefined && !readFileSync(target, 'utf8').includes(`id="${fragment}"`);
  });
}

describe('class report (end to end)', function () {
  this.timeout(600_000);
  let temp: TempDir;
  let classDir: string;

  before(() => {
    temp = new TempDir();
    classDir = path.join(temp.path, 'class');
    for (const student of ['student-correct', 'student-python2', 'student-web-no-404']) cpSync(path.join(submissions, student), path.join(classDir, student), { recursive: true });
    // Task 1's TCP half only: its UDP programs are missing.
    cpSync(path.join(submissions, 'correct'), path.join(classDir, 'student-tcp-only'), { recursive: true, filter: (source) => !/socklab\.yaml$|UDP\w+\.py$/.test(source) });
  });
  after(() => temp.remove());

  it('-s specs/task1: no role of another task is missing, nothing is "not handed in", and every link works', async () => {
    const out = path.join(temp.path, 'task1');
    const cli = await runCli(['grade', '--class', classDir, '-s', 'specs/task1', '-g', '^(tcp-lowercase|tcp-non-ascii)$', '-j', '2', '-o', out], { cwd: repoRoot, timeoutMs: 280_000 });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    expect(readFileSync(path.join(out, 'grades.csv'), 'utf8')).to.equal(
      [
        // Each program is judged with a reference partner (halves); tcp-non-ascii goes beyond the
        // handout (tagged extra): reported, worth nothing.
        'student,tcp-lowercase.server,tcp-lowercase.client,tcp-non-ascii.server,tcp-non-ascii.client,total,max,why',
        'student-correct,0.5,0.5,0,0,1,1,',
        'student-python2,0,0,0,0,0,1,"Python 2 (TCPClient.py, TCPServer.py)"',
        // The graded experiments launch no UDP program, so none is missing.
        'student-tcp-only,0.5,0.5,0,0,1,1,',
        'student-web-no-404,0.5,0.5,0,0,1,1,',
        '',
      ].join('\n'),
    );
    const page = readFileSync(path.join(out, 'class.html'), 'utf8');
    expect(page).not.to.match(/missing:|not handed in|web-server|proxy|mail-client/);
    expect(page).to.contain('<a href="student-python2/index.html#exp-tcp-lowercase.server"');
    expect(brokenLinks(path.join(out, 'class.html'))).to.deep.equal([]);
  });

  it('-s specs/task1 -s specs/task2 in two shards, merged: Task 2 not handed in, missing UDP roles, and links that outlive the shards', async () => {
    const experiments = '^(tcp-lowercase|tcp-non-ascii|udp-lowercase|web-hello|web-404)$';
    const shards = ['1/2', '2/2'].map((shard, index) => ({ shard, out: path.join(temp.path, `shard${index + 1}`) }));
    for (const { shard, out } of shards) {
      const cli = await runCli(['grade', '--class', classDir, '-s', 'specs/task1', '-s', 'specs/task2', '-g', experiments, '-j', '2', '--shard', shard, '-o', out], { cwd: repoRoot, timeoutMs: 280_000 });
      expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    }
    const merged = path.join(temp.path, 'all');
    const merge = await runCli(['merge', ...shards.map(({ out }) => out), '-o', merged], { cwd: repoRoot });
    expect(merge.exitCode, merge.stderr).to.equal(0);
    const expected = [
      'student,tcp-lowercase.server,tcp-lowercase.client,tcp-non-ascii.server,tcp-non-ascii.client,udp-lowercase.server,udp-lowercase.client,web-hello,web-404,total,max,why',
      'student-correct,0.5,0.5,0,0,0.5,0.5,5,6,13,13,',
      // Task 2 is the only optional task graded, so not handing it in costs its points (scoring.ts assessTasks);
      // its 11 points are the main cause, more than Python 2's 2.
      'student-python2,0,0,0,0,0,0,not handed in,not handed in,0,13,task2 not handed in',
      'student-tcp-only,0.5,0.5,0,0,0,0,not handed in,not handed in,1,13,task2 not handed in',
      'student-web-no-404,0.5,0.5,0,0,0.5,0.5,5,0,7,13,closes without a response (WebServer.py)',
      '',
    ];
    expect(readFileSync(path.join(merged, 'grades.csv'), 'utf8')).to.equal(expected.join('\n'));
    // Each shard's own gradebook has its half of the rows, the same ones.
    const shardRows = shards.flatMap(({ out }) => readFileSync(path.join(out, 'grades.csv'), 'utf8').trim().split('\n').slice(1));
    expect(shardRows.sort()).to.deep.equal(expected.slice(1, -1));

    const page = readFileSync(path.join(merged, 'class.html'), 'utf8');
    // Each half of udp-lowercase launches one of the missing UDP programs, so both are named.
    expect(page).to.contain('<span class="note">missing: udp-server, udp-client');
    expect(page).to.contain('<a href="student-tcp-only/index.html#group-task2" title="11 points lost">task2 not handed in</a>');
    expect(page).to.contain('<a href="student-web-no-404/index.html#exp-web-404"');
    expect(page).to.contain('<li><strong>task2</strong>: 2 of 4 students');
    // Failed by 1 of the 2 students who handed Task 2 in; the two who did not are not counted as failing it.
    expect(page).to.contain('<strong>web-404</strong></a> — Web server: a missing file gives 404 Not Found: failed by 1 of 2</li>');
    expect(page).not.to.contain('<strong>web-hello</strong>');
    // The student folders were copied: the merged folder stands on its own.
    for (const { out } of shards) rmSync(out, { recursive: true, force: true });
    expect(brokenLinks(path.join(merged, 'class.html'))).to.deep.equal([]);
  });

  it('merge writes in place into one of the shards, and refuses to replace a shard or to put two students in one folder', async () => {
    const shard = (folder: string, name: string, student = name) => {
      const run = gradedRun(student, [gradedExperiment({ id: 'tcp-lowercase', task: 'task1', roles: ['tcp-server', 'tcp-client'] })]);
      temp.write(`${folder}/${name}/results.json`, JSON.stringify(run));
      temp.write(`${folder}/${name}/index.html`, '<section id="exp-tcp-lowercase"></section>');
      return path.join(temp.path, folder);
    };
    const [one, two] = [shard('m1', 'ann'), shard('m2', 'bob')];
    const inPlace = await runCli(['merge', one, two, '-o', one], { cwd: repoRoot });
    expect(inPlace.exitCode, inPlace.stderr).to.equal(0);
    expect(brokenLinks(path.join(one, 'class.html'))).to.deep.equal([]);
    expect(readFileSync(path.join(one, 'grades.csv'), 'utf8')).to.equal('student,tcp-lowercase,total,max,why\nann,1,1,1,\nbob,1,1,1,\n');

    const over = await runCli(['merge', shard('m3', 'm3'), '-o', temp.path], { cwd: repoRoot });
    expect(over.exitCode).to.equal(2);
    expect(over.stderr).to.contain(`would replace ${path.join(temp.path, 'm3')}, which holds a shard being merged`);
    expect(existsSync(path.join(temp.path, 'm3', 'm3', 'results.json'))).to.equal(true);

    const clash = await runCli(['merge', one, shard('m4', 'ann', 'ann b'), '-o', path.join(temp.path, 'clash')], { cwd: repoRoot });
    expect(clash.exitCode).to.equal(2);
    expect(clash.stderr).to.contain('have the same report folder name "ann"');
  });
});
