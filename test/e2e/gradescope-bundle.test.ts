// `socklab gradescope-bundle` end to end: the zip read back by another reader (CPython's zipfile, and
// Debian's unzip where it is installed), then unpacked into a fake /autograder: setup.sh run for real
// with a stub apt-get (a real `npm ci --omit=dev` from the npm cache), run_autograder run for real on
// a sample submission, and its results.json checked against Gradescope's format and the expected score.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { RunResult } from '../../harness/model/result.js';
import { gradescopeResultsSchema } from '../support/gradescope-schema.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { readZip, type ZipListing } from '../support/zip-reader.js';

interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status?: string;
  output: string;
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
const upper = path.join(repoRoot, 'test', 'fixtures', 'submissions', 'student-upper');

describe('socklab gradescope-bundle (end to end)', function () {
  this.timeout(240_000);
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  async function bundle(args: string[]): Promise<{ zip: string; stdout: string; entries: ZipListing[] }> {
    const zip = path.join(temp.path, 'autograder.zip');
    const cli = await runCli(['gradescope-bundle', ...args, '-o', zip], { cwd: repoRoot });
    expect(cli.exitCode, cli.stdout + cli.stderr).to.equal(0);
    const entries = readZip(zip);
    if (!entries) throw new Error('python3 is needed to read the zip back');
    return { zip, stdout: cli.stdout, entries };
  }

  it('builds a zip with setup.sh and run_autograder at its root, socklab built beside them, and that zip grades a submission in a fake /autograder', async function () {
    const { zip, stdout, entries } = await bundle(['-s', 'specs/task1/tcp-uppercase.yaml']);
    expect(stdout).to.match(/^wrote .*autograder\.zip \(\d+\.\d MB, \d+ files\): socklab \d+\.\d+\.\d+, 4 experiments from specs\/task1\/tcp-uppercase\.yaml\n/);
    const mode = (name: string) => entries.find((entry) => entry.name === name)?.mode;
    expect(mode('setup.sh')).to.equal(0o100755);
    expect(mode('run_autograder')).to.equal(0o100755);
    expect(mode('bin/socklab.js')).to.equal(0o100755);
    const names = entries.map((entry) => entry.name);
    for (const name of ['package.json', 'package-lock.json', 'dist/cli.bundle.cjs', 'dist/validators.generated.cjs', 'dist/harness/cli.js', 'dist/services/tcp-server.js', 'services/www/index.html', 'specs/lab.yaml', 'socklab-bundle.json']) {
      expect(names).to.include(name);
    }
    expect(names.filter((name) => name.startsWith('specs/') && name.endsWith('.yaml'))).to.deep.equal(['specs/lab.yaml', 'specs/task1/tcp-uppercase.yaml']);
    expect(names.filter((name) => /^(test|bench|scripts|harness|node_modules|dist\/test)\//.test(name) || /\.(ts|map)$/.test(name))).to.deep.equal([]);
    const unzip = spawnSync('unzip', ['-tq', zip], { encoding: 'utf8' });
    if (!unzip.error) expect(unzip.status, unzip.stdout + unzip.stderr).to.equal(0);

    // Gradescope unpacks the zip into /autograder/source, runs setup.sh there once, and copies
    // run_autograder to /autograder/run_autograder.
    const base = path.join(temp.path, 'autograder');
    const source = path.join(base, 'source');
    readZip(zip, source);
    expect(readJson<object>(path.join(source, 'socklab-bundle.json'))).to.include({ experiments: 4, browser: false }).and.to.deep.include({ specs: ['specs/task1/tcp-uppercase.yaml'] });
    const stubs = temp.write('stubs/apt-get', '#!/usr/bin/env bash\necho "apt-get $*" >>"$(dirname "$0")/apt.log"\n');
    spawnSync('chmod', ['+x', stubs]);
    const setup = spawnSync(path.join(source, 'setup.sh'), [], {
      encoding: 'utf8',
      timeout: 180_000,
      // This machine has no network but the npm registry; the production dependencies come from the npm cache.
      env: { ...process.env, PATH: `${path.dirname(stubs)}:${process.env.PATH}`, npm_config_offline: 'true' },
    });
    if (setup.status !== 0 && /ENOTCACHED/.test(setup.stdout + setup.stderr)) {
      // The npm cache lacks a package (a machine that never ran npm ci for socklab): use the checkout's.
      symlinkSync(path.join(repoRoot, 'node_modules'), path.join(source, 'node_modules'));
      this.test!.title += ' [node_modules linked: npm cache incomplete]';
    } else {
      expect(setup.status, setup.stdout + setup.stderr).to.equal(0);
      expect(setup.stdout).to.contain('setup.sh: no browser experiments to run: Chromium not installed');
      expect(existsSync(path.join(source, 'node_modules', 'yaml')), 'production dependencies installed').to.equal(true);
      expect(existsSync(path.join(source, 'node_modules', 'typescript')), 'development dependencies left out').to.equal(false);
    }
    expect(readFileSync(path.join(path.dirname(stubs), 'apt.log'), 'utf8')).to.match(/^apt-get update -qq\napt-get install /);

    copyFileSync(path.join(source, 'run_autograder'), path.join(base, 'run_autograder'));
    cpSync(upper, path.join(base, 'submission'), { recursive: true });
    mkdirSync(path.join(base, 'results'));
    const grade = spawnSync(path.join(base, 'run_autograder'), [], { cwd: base, encoding: 'utf8', timeout: 180_000, env: { ...process.env, AUTOGRADER: base } });
    expect(grade.status, grade.stdout + grade.stderr).to.equal(0);

    const results = readJson<{ score: number; max_score: number; output: string; tests: GradescopeTest[] }>(path.join(base, 'results', 'results.json'));
    const validate = new Ajv2020({ strict: false }).compile(gradescopeResultsSchema);
    expect(validate(results), JSON.stringify(validate.errors)).to.equal(true);
    // tcp-non-ascii goes beyond the handout (tagged extra): it fails, and costs nothing; the file's
    // one point is tcp-lowercase's.
    expect(results).to.include({ score: 1, max_score: 1 });
    expect(results.output).to.contain('**No program found for:** web-server, proxy, mail-client.');
    const failed = results.tests.filter((test) => test.status === 'failed');
    expect(failed.map((test) => test.name)).to.deep.equal(['tcp-non-ascii.server: TCP: non-ASCII (UTF-8) bytes pass unchanged — your server, the reference client']);
    const { output } = failed[0]!;
    expect(output).to.contain('**Hint:** TCPServer.py uses str.upper()');
    // Graded programs run in their experiment's world: the server is 192.0.2.1 there.
    expect(output).to.match(/^\*\*✗ Failed\*\*: no points \(it goes beyond the handout/);
    // The student's server met the reference client, whose command is shown; in the experiment's
    // world the server is 192.0.2.1.
    expect(output).to.match(/Command:\n\n```\nnode (?:--[\w-]+ )*\S+\/tcp-client\.js 192\.0\.2\.1 \d+\n```/);
    expect(output).to.contain('Input sent (stdin):\n\n```\nstraße café 日本 ok\n```');
    expect(output).to.contain('```diff\n--- expected\n+++ actual\n@@ -1 +1 @@\n-STRAßE CAFé 日本 OK\n+STRASSE CAFÉ 日本 OK\n```');
    // socklab's own reports of the run are beside results.json, and agree with it.
    const run = readJson<RunResult>(path.join(base, 'results', 'socklab', 'results.json'));
    expect([run.score, run.maxScore]).to.deep.equal([results.score, results.max_score]);
  });

  it('asks setup.sh for Chromium only when the specs open a browser, unless --no-browser', async () => {
    const manifest = async (args: string[]) => {
      const { zip } = await bundle(args);
      readZip(zip, path.join(temp.path, 'unpacked'));
      return readJson<{ browser: boolean }>(path.join(temp.path, 'unpacked', 'socklab-bundle.json')).browser;
    };
    expect(await manifest(['-s', 'specs/task2'])).to.equal(true);
    expect(await manifest(['-s', 'specs/task2', '--no-browser'])).to.equal(false);
    expect(await manifest(['-s', 'specs/task1/udp-uppercase.yaml'])).to.equal(false);
  });

  it('takes a course\'s own spec folder and lab file: the folder under specs/ with the files its specs name, the lab file as specs/lab.yaml', async () => {
    const course = path.join(temp.path, 'course', 'week5');
    cpSync(path.join(repoRoot, 'specs', 'task1', 'tcp-uppercase.yaml'), path.join(course, 'tcp.yaml'));
    temp.write('course/week5/page.html', '<p>used through {{specDir}}</p>');
    cpSync(path.join(repoRoot, 'specs', 'lab.yaml'), path.join(course, 'lab.yaml'));
    const { entries } = await bundle(['-s', course, '--lab', path.join(course, 'lab.yaml')]);
    const specs = entries.map((entry) => entry.name).filter((name) => name.startsWith('specs/'));
    expect(specs).to.deep.equal(['specs/lab.yaml', 'specs/week5/page.html', 'specs/week5/tcp.yaml']);
    // One spec file brings the other files of its folder only when it names {{specDir}}.
    const single = async () => (await bundle(['-s', path.join(course, 'tcp.yaml')])).entries.map((entry) => entry.name).filter((name) => name.startsWith('specs/'));
    expect(await single()).to.deep.equal(['specs/lab.yaml', 'specs/tcp.yaml']);
    temp.write('course/week5/tcp.yaml', `${readFileSync(path.join(course, 'tcp.yaml'), 'utf8')}# the page: {{specDir}}/page.html\n`);
    expect(await single()).to.deep.equal(['specs/lab.yaml', 'specs/tcp.yaml', 'specs/page.html']);
  });

  it('refuses invalid specs (exit 2, with the position) and two spec folders that would share a name', async () => {
    const broken = temp.write('broken/x.yaml', '- id: x\n  title: x\n  steps:\n    - run: tcp-clinet\n');
    const invalid = await runCli(['gradescope-bundle', '-s', broken, '-o', path.join(temp.path, 'x.zip')], { cwd: repoRoot });
    expect(invalid.exitCode).to.equal(2);
    expect(invalid.stderr).to.contain(`${broken}:4:12: error: [0].steps[0].run: unknown role "tcp-clinet"`);
    expect(existsSync(path.join(temp.path, 'x.zip'))).to.equal(false);

    cpSync(path.join(repoRoot, 'specs', 'task1', 'tcp-uppercase.yaml'), path.join(temp.path, 'a/task1/tcp.yaml'));
    cpSync(path.join(repoRoot, 'specs', 'task1', 'udp-uppercase.yaml'), path.join(temp.path, 'b/task1/tcp.yaml'));
    const clash = await runCli(['gradescope-bundle', '-s', path.join(temp.path, 'a/task1'), '-s', path.join(temp.path, 'b/task1'), '-o', path.join(temp.path, 'y.zip')], { cwd: repoRoot });
    expect(clash.exitCode, clash.stderr).to.equal(2);
    expect(clash.stderr).to.contain(`socklab: two files would be specs/task1/tcp.yaml in the zip: ${path.join(temp.path, 'a/task1/tcp.yaml')} and ${path.join(temp.path, 'b/task1/tcp.yaml')}; rename one of them`);
  });
});
