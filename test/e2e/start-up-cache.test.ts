// What the CLI keeps between runs to start faster (bin/socklab.js, harness/commands/remembered-files.ts):
// V8's compiled code of the bundle, and the spec and lab files it parsed. Run on a copy of the built
// CLI in a folder of its own, as an install is laid out (no dist/.tsbuildinfo: the bundle is used),
// so that its cache folder is the test's.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import type { ExperimentSpec } from '../../harness/spec/spec-types.js';
import { repoRoot } from '../support/paths.js';
import { TempDir } from '../support/temp-dir.js';

const SPEC = `- id: cached-echo
  title: "the title as written"
  steps:
    - run: tcp-client
      args: ["127.0.0.1", "9"]
      expect: { exit: 1 }
`;

describe('start-up cache: compiled code and parsed specs kept between runs', function () {
  this.timeout(60_000);
  let temp: TempDir;
  let install: string;
  let specFile: string;
  const cacheFolder = () => path.join(install, 'dist', '.cache');
  const codeFiles = (folder = cacheFolder()) => (existsSync(folder) ? readdirSync(folder).filter((name) => /^cli-.+\.v8$/.test(name)) : []);
  const specEntries = () => (existsSync(path.join(cacheFolder(), 'specs')) ? readdirSync(path.join(cacheFolder(), 'specs')) : []);
  function socklab(args: string[], env: Record<string, string> = {}) {
    const run = spawnSync(process.execPath, [path.join(install, 'bin', 'socklab.js'), ...args], { cwd: temp.path, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 30_000 });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  }
  const list = (env: Record<string, string> = {}) => socklab(['list', path.dirname(specFile), '--lab', path.join(install, 'specs', 'lab.yaml')], env);

  before(function () {
    if (!existsSync(path.join(repoRoot, 'dist', 'cli.bundle.cjs'))) this.skip();
    temp = new TempDir();
    install = path.join(temp.path, 'socklab');
    for (const file of ['bin/socklab.js', 'package.json', 'dist/cli.bundle.cjs', 'dist/validators.generated.cjs', 'dist/harness/cli.js', 'specs/lab.yaml']) {
      mkdirSync(path.dirname(path.join(install, file)), { recursive: true });
      copyFileSync(path.join(repoRoot, file), path.join(install, file));
    }
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(install, 'node_modules'));
    specFile = temp.write('course/echo.yaml', SPEC);
  });
  after(() => temp?.remove());

  it("keeps V8's code of the bundle after the first run and starts from it", () => {
    const first = list();
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain('cached-echo\tthe title as written');
    const [code] = codeFiles();
    expect(code, 'a code file after the first run').to.be.a('string');
    expect(statSync(path.join(cacheFolder(), code)).size).to.be.greaterThan(100_000);
    const written = statSync(path.join(cacheFolder(), code)).mtimeMs;
    const second = list();
    expect(second.stdout).to.equal(first.stdout);
    // V8 took the code: a rejected one would have been written again.
    expect(statSync(path.join(cacheFolder(), code)).mtimeMs).to.equal(written);
  });

  it('replaces damaged code, and the run is not affected', () => {
    const [code] = codeFiles();
    const garbage = Buffer.alloc(statSync(path.join(cacheFolder(), code)).size, 7);
    writeFileSync(path.join(cacheFolder(), code), garbage);
    const run = list();
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('cached-echo\tthe title as written');
    expect(readFileSync(path.join(cacheFolder(), code)).equals(garbage), 'the damaged file was replaced').to.equal(false);
  });

  it('never gives a rebuilt bundle the code of the one before', () => {
    const [before] = codeFiles();
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(install, 'dist', 'cli.bundle.cjs'), later, later);
    expect(list().code).to.equal(0);
    const after = codeFiles();
    expect(after).to.have.length(1);
    expect(after[0]).to.not.equal(before);
  });

  it('uses a spec file parsed before while its bytes are the same, and parses it again once they change', () => {
    rmSync(path.join(cacheFolder(), 'specs'), { recursive: true, force: true });
    expect(list().code).to.equal(0);
    const entries = specEntries();
    expect(entries.length, 'the spec file and the lab file').to.equal(2);
    // Proof that a kept entry is what the run used: one whose title was changed here shows up in the list.
    let replaced = 0;
    for (const entry of entries) {
      const file = path.join(cacheFolder(), 'specs', entry);
      const value = v8.deserialize(readFileSync(file)) as unknown;
      if (!Array.isArray(value)) continue;
      writeFileSync(file, v8.serialize((value as ExperimentSpec[]).map((experiment) => ({ ...experiment, title: 'from the cache' }))));
      replaced += 1;
    }
    expect(replaced).to.equal(1);
    expect(list().stdout).to.contain('cached-echo\tfrom the cache');
    writeFileSync(specFile, SPEC.replace('the title as written', 'the title edited'));
    expect(list().stdout).to.contain('cached-echo\tthe title edited');
  });

  it('keeps no spec with a problem: every run reports it with file:line:col', () => {
    const before = specEntries().length;
    const broken = temp.write('broken/bad.yaml', SPEC.replace('expect: { exit: 1 }', 'expect: { exit: "one" }'));
    for (let run = 0; run < 2; run += 1) {
      const validate = socklab(['validate', broken, '--lab', path.join(install, 'specs', 'lab.yaml')]);
      expect(validate.code).to.equal(2);
      expect(validate.stderr).to.match(/bad\.yaml:6:\d+/);
    }
    // The lab file's entry is there already; nothing was added for the broken spec.
    expect(specEntries().length).to.equal(before);
  });

  it("falls back to the user's own temporary folder, never one that others can write to", () => {
    rmSync(cacheFolder(), { recursive: true, force: true });
    writeFileSync(cacheFolder(), 'a file where the cache folder would be');
    const tmp = path.join(temp.path, 'tmp');
    mkdirSync(tmp);
    const own = path.join(tmp, `socklab-cache-${process.getuid!()}`);
    expect(list({ TMPDIR: tmp }).code).to.equal(0);
    expect(codeFiles(own)).to.have.length(1);
    rmSync(own, { recursive: true });
    mkdirSync(own);
    chmodSync(own, 0o777);
    const run = list({ TMPDIR: tmp });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('cached-echo');
    expect(readdirSync(own), 'nothing kept in a folder others can write to').to.deep.equal([]);
  });
});
