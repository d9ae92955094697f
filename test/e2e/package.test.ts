// socklab as instructors get it: a real `npm pack` of this tree (its prepack builds first), the
// tarball's file list, a global install into a temporary prefix (`npm install -g --prefix`, from the
// npm cache), and the installed `socklab` run from folders that have nothing to do with this clone:
// the bundled specs against the bundled reference services, then a course folder made by `socklab init`.
import { expect } from 'chai';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { repoRoot } from '../support/paths.js';
import { TempDir } from '../support/temp-dir.js';
import { readZip } from '../support/zip-reader.js';

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
/** Static imports and re-exports (also over several lines), import(), require(): group 2 is the specifier. */
const importPatterns = [/^\s*(?:import|export)\b[^'";]*?\bfrom\s*(["'])([^"'\n]+)\1/gm, /^\s*import\s*(["'])([^"'\n]+)\1/gm, /\bimport\(\s*(["'])([^"'\n]+)\1\s*\)/g, /\brequire\(\s*(["'])([^"'\n]+)\1\s*\)/g];
const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

describe('socklab as an installed package (npm pack, npm install -g)', function () {
  this.timeout(240_000);
  let temp: TempDir;
  /** The tarball's files, without the leading `package/`. */
  let packed: string[];
  /** Where `npm install -g --prefix` put socklab, and its bin folder. */
  let installed: string;
  let bin: string;
  /** Set when the npm cache could not install the dependencies and the clone's node_modules were linked instead. */
  let linkedNodeModules = false;

  /** The installed `socklab`, found on PATH as a shell would, run in `cwd`. */
  function socklab(args: string[], cwd: string): SpawnSyncReturns<string> {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    return spawnSync('socklab', args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  }
  const output = (run: SpawnSyncReturns<string>) => `${run.stdout}\n${run.stderr}`;
  /** A fresh folder outside the clone with no specs/ of its own. */
  const unrelatedFolder = (name: string) => {
    const folder = path.join(temp.path, name);
    mkdirSync(folder, { recursive: true });
    return folder;
  };

  before(function () {
    temp = new TempDir();
    const pack = spawnSync('npm', ['pack', '--pack-destination', temp.path, '--loglevel=error'], { cwd: repoRoot, encoding: 'utf8', timeout: 180_000 });
    expect(pack.status, output(pack)).to.equal(0);
    const tarball = path.join(temp.path, `socklab-${manifest.version}.tgz`);
    expect(existsSync(tarball), output(pack)).to.equal(true);
    const listing = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    expect(listing.status, listing.stderr).to.equal(0);
    packed = listing.stdout.split('\n').filter(Boolean).map((name) => name.replace(/^package\//, ''));

    const prefix = path.join(temp.path, 'global');
    bin = path.join(prefix, 'bin');
    installed = path.join(prefix, 'lib', 'node_modules', 'socklab');
    // The machine may reach no registry: the npm cache first; `--prefer-offline` asks the registry only
    // for what the cache lacks (a global install resolves versions from package metadata, not from a lock).
    const install = (mode: string) => spawnSync('npm', ['install', '-g', '--prefix', prefix, mode, '--no-audit', '--no-fund', '--loglevel=error', tarball], { encoding: 'utf8', timeout: 180_000 });
    let result = install('--offline');
    if (result.status !== 0) result = install('--prefer-offline');
    if (result.status !== 0 && /ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/.test(output(result))) {
      // Neither the cache nor the registry has everything: install the tarball's files by hand with the
      // clone's node_modules, so the commands below still run the packed build.
      mkdirSync(installed, { recursive: true });
      mkdirSync(bin, { recursive: true });
      expect(spawnSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']).status).to.equal(0);
      symlinkSync(path.join(repoRoot, 'node_modules'), path.join(installed, 'node_modules'));
      symlinkSync(path.join(installed, 'bin', 'socklab.js'), path.join(bin, 'socklab'));
      linkedNodeModules = true;
    } else {
      expect(result.status, output(result)).to.equal(0);
    }
  });
  after(() => temp?.remove());
  beforeEach(function () {
    if (linkedNodeModules) this.currentTest!.title += ' [node_modules linked: npm cache and registry incomplete]';
  });

  it('packs the built CLI, the specs, the schemas, the reference web files and the Gradescope scripts; no tests (or their fixtures), benches, sources or maps', () => {
    for (const name of ['bin/socklab.js', 'dist/cli.bundle.cjs', 'dist/validators.generated.cjs', 'dist/harness/cli.js', 'dist/harness/network/namespace-agent.js', 'dist/services/tcp-server.js', 'dist/services/web-server.js', 'dist/package-lock.json', 'specs/lab.yaml', 'specs/task1/tcp-uppercase.yaml', 'services/www/index.html', 'services/www/logo.png', 'spec.schema.json', 'lab.schema.json', 'gradescope/setup.sh', 'gradescope/run_autograder', 'package.json', 'README.md']) {
      expect(packed, name).to.include(name);
    }
    const unwanted = packed.filter((name) => /^(test|bench|scripts|harness|\.ci|node_modules|dist\/test)\//.test(name) || /^services\/(?!www\/)/.test(name) || /\.(ts|map|tsbuildinfo)$/.test(name));
    expect(unwanted).to.deep.equal([]);
    // Every spec and web file of the tree is there, not a sample.
    const specFiles = (folder: string): string[] => readdirSync(path.join(repoRoot, folder), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)));
    for (const file of [...specFiles('specs'), ...specFiles('services/www')]) expect(packed).to.include(file);
  });

  it('imports nothing at run time but its dependencies and Node built-ins (no esbuild, typescript, chai…)', () => {
    const allowed = new Set([...Object.keys(manifest.dependencies), ...builtinModules]);
    const imported = new Set<string>();
    const files = packed.filter((name) => /^dist\/.*\.(js|mjs|cjs)$/.test(name)).map((name) => path.join(installed, name));
    for (const file of files) {
      const code = readFileSync(file, 'utf8');
      for (const pattern of importPatterns) {
        for (const match of code.matchAll(pattern)) {
          const specifier = match[2].replace(/^node:/, '');
          if (specifier.startsWith('.') || !/^(@[\w.-]+\/)?[\w.-]+(\/[\w./-]*)?$/.test(specifier)) continue;
          imported.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
        }
      }
    }
    expect([...imported]).to.include.members(['yaml', 'commander', 'execa', 'playwright-core']);
    expect([...imported].filter((name) => !allowed.has(name))).to.deep.equal([]);
    if (!linkedNodeModules) {
      const dependencies = readdirSync(path.join(installed, 'node_modules'));
      for (const development of ['esbuild', 'typescript', 'mocha', 'chai', 'eslint']) expect(dependencies, `${development} installed`).to.not.include(development);
    }
  });

  it('runs from any folder: --version, list and run with the specs and reference services it came with', () => {
    const folder = unrelatedFolder('anywhere');
    const version = socklab(['--version'], folder);
    expect(version.status, output(version)).to.equal(0);
    expect(version.stdout.trim()).to.equal(manifest.version);

    const list = socklab(['list'], folder);
    expect(list.status, output(list)).to.equal(0);
    expect(list.stdout).to.match(/^tcp-lowercase\t.*\t\S*specs\/task1\/tcp-uppercase\.yaml:\d+$/m);
    const ownSpecs = path.join(installed, 'specs');
    expect(list.stderr).to.contain(`socklab: socklab's own specs and lab file (${ownSpecs}); this folder has no specs/lab.yaml`);

    const run = socklab(['run', 'tcp-lowercase'], folder);
    expect(run.status, output(run)).to.equal(0);
    expect(run.stdout).to.contain(`socklab's own specs and lab file (${ownSpecs})`).and.match(/1 passed, 0 failed/);
    const result = readJson<RunResult>(path.join(folder, 'reports', 'results.json'));
    expect(result.experiments.map((experiment) => [experiment.id, experiment.status])).to.deep.equal([['tcp-lowercase', 'passed']]);
    expect(result.experiments[0].location.file).to.contain(ownSpecs);
  });

  it('socklab init writes a course folder that the installed socklab then runs: validate, run, grade --reference, gradescope-bundle', () => {
    const parent = unrelatedFolder('teaching');
    const init = socklab(['init', 'course'], parent);
    expect(init.status, output(init)).to.equal(0);
    const course = path.join(parent, 'course');
    for (const name of ['specs/lab.yaml', 'specs/task1/tcp-uppercase.yaml', 'specs/task4/mail-client.yaml', 'spec.schema.json', 'lab.schema.json', 'README.md', '.gitignore']) {
      expect(existsSync(path.join(course, name)), name).to.equal(true);
    }
    expect(readFileSync(path.join(course, '.gitignore'), 'utf8')).to.match(/^reports\/$/m);
    expect(readFileSync(path.join(course, 'README.md'), 'utf8')).to.contain('socklab validate').and.contain('socklab grade --class').and.contain('socklab gradescope-bundle');
    // Each spec's modeline leads to the schema written beside the specs, the same as the package's.
    const yamlFiles = readdirSync(path.join(course, 'specs'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'));
    expect(yamlFiles).to.have.length.greaterThan(5);
    for (const entry of yamlFiles) {
      const file = path.join(entry.parentPath, entry.name);
      const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(file, 'utf8'));
      expect(modeline, file).to.not.equal(null);
      const schema = path.resolve(path.dirname(file), modeline![1]);
      expect(path.dirname(schema), file).to.equal(course);
      expect(readFileSync(schema, 'utf8')).to.equal(readFileSync(path.join(installed, path.basename(schema)), 'utf8'));
    }

    // An edit shows that the course's specs are the ones used, not the package's.
    const lab = path.join(course, 'specs', 'lab.yaml');
    writeFileSync(lab, readFileSync(lab, 'utf8').replace(/^lab: .*$/m, 'lab: "Networks 101, our edition"'));
    const validate = socklab(['validate'], course);
    expect(validate.status, output(validate)).to.equal(0);
    expect(validate.stdout).to.match(/^socklab: specs \.\/specs and lab file \.\/specs\/lab\.yaml, from this folder\n\d+ experiments valid\n$/);

    const run = socklab(['run', 'tcp-lowercase'], course);
    expect(run.status, output(run)).to.equal(0);
    expect(run.stdout).to.contain('socklab: specs ./specs and lab file ./specs/lab.yaml, from this folder').and.match(/1 passed, 0 failed/);
    expect(readJson<RunResult>(path.join(course, 'reports', 'results.json')).experiments[0].location.file).to.equal(path.join(course, 'specs', 'task1', 'tcp-uppercase.yaml'));

    const grade = socklab(['grade', '--reference', '-s', 'specs/task1'], course);
    expect(grade.status, output(grade)).to.equal(0);
    expect(grade.stdout).to.contain('socklab: lab file ./specs/lab.yaml, from this folder');
    const graded = readJson<RunResult>(path.join(course, 'reports', 'grade', 'results.json'));
    expect(graded.counts.failed + graded.counts.error, output(grade)).to.equal(0);
    expect(graded.score).to.equal(graded.maxScore).and.be.greaterThan(10);

    // The zip needs a lock file, which npm never packs at a package's root: the one prepack put in dist/.
    const zip = socklab(['gradescope-bundle', '-s', 'specs/task1/tcp-uppercase.yaml'], course);
    expect(zip.status, output(zip)).to.equal(0);
    const unzipped = path.join(temp.path, 'unzipped');
    const entries = readZip(path.join(course, 'autograder.zip'), unzipped);
    if (!entries) throw new Error('python3 is needed to read the zip back');
    const names = entries.map((entry) => entry.name);
    for (const name of ['setup.sh', 'run_autograder', 'package-lock.json', 'dist/cli.bundle.cjs', 'dist/harness/cli.js', 'specs/lab.yaml', 'specs/task1/tcp-uppercase.yaml']) expect(names, name).to.include(name);
    expect(readFileSync(path.join(unzipped, 'specs', 'lab.yaml'), 'utf8')).to.contain('Networks 101, our edition');
    expect(readFileSync(path.join(unzipped, 'package-lock.json'), 'utf8')).to.equal(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8'));
  });

  it('socklab init refuses to overwrite files (exit 2, nothing written) unless --force', () => {
    const course = unrelatedFolder('course-again');
    expect(socklab(['init'], course).status).to.equal(0);
    const readme = path.join(course, 'README.md');
    writeFileSync(readme, 'our own notes\n');
    const refused = socklab(['init', '.'], course);
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.match(/^socklab: \. already has specs\/lab\.yaml, .* and \d+ more; nothing written \(--force overwrites them\)\n$/);
    expect(readFileSync(readme, 'utf8')).to.equal('our own notes\n');
    const forced = socklab(['init', '--force'], course);
    expect(forced.status, output(forced)).to.equal(0);
    expect(forced.stdout).to.match(/\(\d+ files overwritten\)/);
    expect(readFileSync(readme, 'utf8')).to.contain('socklab init');
  });

  it('starts from its bundle, whatever order the install wrote its files in', () => {
    // An install may write dist/harness/cli.js after the bundle; without the compiled modules'
    // commands/ folder, only the bundle can run the CLI.
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(path.join(installed, 'dist', 'harness', 'cli.js'), future, future);
    const commands = path.join(installed, 'dist', 'harness', 'commands');
    renameSync(commands, `${commands}.away`);
    try {
      const version = socklab(['--version'], unrelatedFolder('bundle-only'));
      expect(version.status, output(version)).to.equal(0);
      expect(version.stdout.trim()).to.equal(manifest.version);
    } finally {
      renameSync(`${commands}.away`, commands);
    }
  });
});
