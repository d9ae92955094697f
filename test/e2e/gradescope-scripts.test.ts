// gradescope/setup.sh and run_autograder, run for real by bash against stub apt-get, curl, node and
// npm on a PATH that holds nothing else but the few real tools they use (so no real apt-get or npm
// can run): the decisions setup.sh makes (install Node.js when the image's is older than 20.19 and
// only then, check the download, install Chromium only for browser experiments) and how
// run_autograder calls socklab. A real Ubuntu image cannot run here (no container engine).
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/paths.js';
import { TempDir } from '../support/temp-dir.js';

const setupScript = path.join(repoRoot, 'gradescope', 'setup.sh');
const runAutograder = path.join(repoRoot, 'gradescope', 'run_autograder');
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
const tarballName = `node-v22.99.0-linux-${arch}.tar.gz`;
/** The real commands the scripts (and the stubs) use besides the stubbed ones. */
const realTools = ['bash', 'cat', 'cp', 'dirname', 'basename', 'uname', 'mktemp', 'awk', 'grep', 'sha256sum', 'tar', 'gzip', 'mkdir', 'rm', 'env'];

function writeScript(file: string, body: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(file, 0o755);
}

/** A node that says it is `version`, logs every other call under `label`, and answers playwright-core's executablePath. */
function nodeStub(version: string, label: string): string {
  return [
    `if [ "$1" = --version ]; then echo ${version}; exit 0; fi`,
    `echo "${label} $* [PLAYWRIGHT_BROWSERS_PATH=\${PLAYWRIGHT_BROWSERS_PATH:-}]" >>"$STUB_LOG"`,
    'case "$*" in *executablePath*) echo "$STUB_CHROME" ;; esac',
  ].join('\n');
}

interface Machine {
  temp: TempDir;
  source: string;
  prefix: string;
  log: () => string[];
  run: (env?: Record<string, string>) => { status: number | null; stdout: string; stderr: string };
}

/**
 * A stand-in for a Gradescope build machine: stub apt-get, curl (serving a Node.js "release" from a
 * folder), npm, and a node of the given version (none when null); a socklab bundle in `source`.
 */
function machine(nodeVersion: string | null, options: { manifest?: object | null; built?: boolean; checksum?: string } = {}): Machine {
  const temp = new TempDir();
  const stubs = path.join(temp.path, 'stubs');
  const tools = path.join(temp.path, 'tools');
  const source = path.join(temp.path, 'source');
  const prefix = path.join(temp.path, 'prefix');
  const downloads = path.join(temp.path, 'downloads');
  const logFile = path.join(temp.path, 'calls.log');
  mkdirSync(tools, { recursive: true });
  for (const tool of realTools) symlinkSync(execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(tools, tool));
  writeScript(path.join(stubs, 'apt-get'), 'echo "apt-get $*" >>"$STUB_LOG"');
  writeScript(path.join(stubs, 'npm'), 'echo "npm $*" >>"$STUB_LOG"');
  writeScript(
    path.join(stubs, 'curl'),
    [
      'url="" out=""',
      'while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift ;; http*) url="$1" ;; esac; shift; done',
      'echo "curl $url" >>"$STUB_LOG"',
      'file="$STUB_DOWNLOADS/$(basename "$url")"',
      '[ -f "$file" ] || exit 22',
      'if [ -n "$out" ]; then cp "$file" "$out"; else cat "$file"; fi',
    ].join('\n'),
  );
  if (nodeVersion) writeScript(path.join(stubs, 'node'), nodeStub(nodeVersion, 'node'));

  // The "release": a tarball whose node is 22.99.0 and whose npm logs as new-npm, and its SHASUMS256.txt.
  const release = path.join(temp.path, 'release', `node-v22.99.0-linux-${arch}`);
  writeScript(path.join(release, 'bin', 'node'), nodeStub('v22.99.0', 'new-node'));
  writeScript(path.join(release, 'bin', 'npm'), 'echo "new-npm $*" >>"$STUB_LOG"');
  mkdirSync(downloads, { recursive: true });
  execFileSync('tar', ['-czf', path.join(downloads, tarballName), '-C', path.dirname(release), path.basename(release)]);
  const sum = options.checksum ?? execFileSync('sha256sum', [path.join(downloads, tarballName)], { encoding: 'utf8' }).split(' ')[0];
  writeFileSync(
    path.join(downloads, 'SHASUMS256.txt'),
    [`${'1'.repeat(64)}  node-v22.99.0-darwin-arm64.tar.gz`, `${'2'.repeat(64)}  node-v22.99.0-linux-${arch}.tar.xz`, `${sum}  ${tarballName}`, ''].join('\n'),
  );

  mkdirSync(source, { recursive: true });
  if (options.built !== false) writeScript(path.join(source, 'dist', 'harness', 'cli.js'), '');
  const manifest = options.manifest === undefined ? { socklab: '0.1.0', specs: ['specs/task1'], experiments: 3, browser: false } : options.manifest;
  if (manifest) writeFileSync(path.join(source, 'socklab-bundle.json'), JSON.stringify(manifest, null, 2));
  return {
    temp,
    source,
    prefix,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n') : []),
    run: (env = {}) => {
      const result = spawnSync(path.join(tools, 'bash'), [setupScript], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: [path.join(prefix, 'bin'), stubs, tools].join(':'), HOME: temp.path, STUB_LOG: logFile, STUB_DOWNLOADS: downloads, SOCKLAB_SOURCE: source, SOCKLAB_NODE_PREFIX: prefix, SOCKLAB_CHROMIUM: path.join(temp.path, 'no-chromium'), ...env },
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
  };
}

const release = 'https://nodejs.org/dist/latest-v22.x';

describe('gradescope/setup.sh (stub apt-get, curl, node, npm)', function () {
  this.timeout(60_000);
  let current: Machine | undefined;
  afterEach(() => current?.temp.remove());

  it('installs the lab\'s tools with apt-get', () => {
    current = machine('v22.3.0');
    const run = current.run();
    expect(run.status, run.stderr).to.equal(0);
    const [update, install] = current.log();
    expect(update).to.equal('apt-get update -qq');
    for (const pkg of ['python3', 'gcc', 'default-jdk-headless', 'curl', 'tcpdump', 'iproute2', 'iptables', 'bubblewrap']) expect(install!.split(' ')).to.include(pkg);
  });

  for (const old of ['v12.22.9', 'v20.18.1']) {
    it(`installs Node.js from nodejs.org when the image has ${old}, checks its checksum, and installs socklab with the new npm`, () => {
      current = machine(old);
      const run = current.run();
      expect(run.status, run.stdout + run.stderr).to.equal(0);
      expect(run.stdout).to.contain(`setup.sh: Node.js ${old} is older than socklab's 20.19`);
      expect(run.stdout).to.contain(`setup.sh: installing Node.js node-v22.99.0-linux-${arch} into ${current.prefix}`);
      expect(current.log().slice(2)).to.deep.equal([
        `curl ${release}/SHASUMS256.txt`,
        `curl ${release}/${tarballName}`,
        'new-npm ci --omit=dev --no-audit --no-fund',
        'new-node -p require(\'./package.json\').version [PLAYWRIGHT_BROWSERS_PATH=]',
      ]);
      expect(execFileSync(path.join(current.prefix, 'bin', 'node'), ['--version'], { encoding: 'utf8' })).to.equal('v22.99.0\n');
      expect(run.stdout).to.contain('setup.sh: no browser experiments to run: Chromium not installed');
    });
  }

  it('installs Node.js when the image has none', () => {
    current = machine(null);
    const run = current.run();
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.contain('setup.sh: Node.js is not installed');
    expect(current.log()).to.include(`curl ${release}/${tarballName}`);
  });

  for (const recent of ['v20.19.0', 'v24.1.0']) {
    it(`keeps the image's Node.js ${recent}: nothing downloaded`, () => {
      current = machine(recent);
      const run = current.run();
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.contain(`setup.sh: using Node.js ${recent}`);
      expect(current.log().filter((line) => line.startsWith('curl'))).to.deep.equal([]);
      expect(current.log()).to.include('npm ci --omit=dev --no-audit --no-fund');
      expect(existsSync(current.prefix)).to.equal(false);
    });
  }

  it('stops, with nothing unpacked, when the download does not match its checksum', () => {
    current = machine('v12.22.9', { checksum: '0'.repeat(64) });
    const run = current.run();
    expect(run.status).to.not.equal(0);
    expect(run.stdout + run.stderr).to.match(/FAILED/);
    expect(existsSync(path.join(current.prefix, 'bin', 'node'))).to.equal(false);
    expect(current.log().some((line) => line.includes('npm'))).to.equal(false);
  });

  it('builds a plain checkout of socklab (no dist/) with the development dependencies', () => {
    current = machine('v22.3.0', { built: false, manifest: { browser: false } });
    const run = current.run();
    expect(run.status, run.stderr).to.equal(0);
    expect(current.log().filter((line) => line.startsWith('npm'))).to.deep.equal(['npm ci --no-audit --no-fund', 'npm run build']);
  });

  it('installs playwright-core\'s Chromium, with its libraries, for a bundle with browser experiments, and records where it is', () => {
    current = machine('v22.3.0', { manifest: { browser: true } });
    const chrome = path.join(current.temp.path, 'browsers', 'chrome');
    writeScript(chrome, '');
    const run = current.run({ STUB_CHROME: chrome });
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    expect(current.log()).to.include(`node node_modules/playwright-core/cli.js install --with-deps chromium [PLAYWRIGHT_BROWSERS_PATH=${current.source}/.browsers]`);
    expect(readFileSync(path.join(current.source, '.socklab-chromium'), 'utf8')).to.equal(`${chrome}\n`);
    expect(run.stdout).to.contain(`setup.sh: browser experiments use ${chrome}`);
  });

  it('fails the build when playwright-core\'s Chromium is not where it says', () => {
    current = machine('v22.3.0', { manifest: { browser: true } });
    const run = current.run({ STUB_CHROME: path.join(current.temp.path, 'missing-chrome') });
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.contain('setup.sh: Chromium is not where playwright-core says it installed it');
  });

  it('without a bundle manifest, prepares for browser experiments: with the chromium the image already has', () => {
    current = machine('v22.3.0', { manifest: null });
    const chromium = path.join(current.temp.path, 'usr-bin-chromium');
    writeScript(chromium, '');
    const run = current.run({ SOCKLAB_CHROMIUM: chromium });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.contain(`setup.sh: browser experiments use ${chromium}`);
    expect(current.log().some((line) => line.includes('playwright-core'))).to.equal(false);
  });
});

describe('gradescope/run_autograder (stub node)', function () {
  this.timeout(30_000);
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  function runAutograderWith(stub: { exit: number; write: boolean }, env: Record<string, string> = {}) {
    const base = path.join(temp.path, 'autograder');
    const log = path.join(temp.path, 'node.log');
    writeScript(
      path.join(temp.path, 'stubs', 'node'),
      [`echo "node $* [SOCKLAB_CHROMIUM=\${SOCKLAB_CHROMIUM:-}]" >>"${log}"`, stub.write ? `echo '{"tests":[]}' >"${base}/results/results.json"` : '', `exit ${stub.exit}`].join('\n'),
    );
    mkdirSync(path.join(base, 'source'), { recursive: true });
    const result = spawnSync('bash', [runAutograder], { encoding: 'utf8', env: { ...process.env, PATH: `${path.join(temp.path, 'stubs')}:${process.env.PATH}`, AUTOGRADER: base, ...env } });
    return { ...result, base, calls: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [] };
  }

  it('grades /autograder/submission with the specs in SOCKLAB_SPECS and the Chromium setup.sh installed', () => {
    const base = path.join(temp.path, 'autograder');
    mkdirSync(path.join(base, 'source'), { recursive: true });
    writeFileSync(path.join(base, 'source', '.socklab-chromium'), '/autograder/source/.browsers/chrome\n');
    const run = runAutograderWith({ exit: 0, write: true }, { SOCKLAB_SPECS: 'specs/task1 specs/task2/web-server.yaml' });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.calls).to.deep.equal([
      `node bin/socklab.js grade ${base}/submission --specs specs/task1 --specs specs/task2/web-server.yaml --gradescope ${base}/results/results.json --out ${base}/results/socklab [SOCKLAB_CHROMIUM=/autograder/source/.browsers/chrome]`,
    ]);
  });

  it('grades every spec of the bundle when SOCKLAB_SPECS is not set', () => {
    const run = runAutograderWith({ exit: 0, write: true });
    expect(run.calls).to.deep.equal([`node bin/socklab.js grade ${run.base}/submission --gradescope ${run.base}/results/results.json --out ${run.base}/results/socklab [SOCKLAB_CHROMIUM=]`]);
  });

  it('exits 0 whenever socklab wrote results.json (the grade is in it), and with socklab\'s status when it did not', () => {
    expect(runAutograderWith({ exit: 3, write: true }).status).to.equal(0);
    const stale = path.join(temp.path, 'autograder', 'results', 'results.json');
    mkdirSync(path.dirname(stale), { recursive: true });
    writeFileSync(stale, '{"tests":[]}');
    const failed = runAutograderWith({ exit: 3, write: false });
    expect(failed.status).to.equal(3);
    expect(failed.stderr).to.contain('run_autograder: socklab exited with status 3 and wrote no results.json');
    expect(existsSync(stale), 'a results.json of an earlier run is not taken for this one').to.equal(false);
  });
});

describe('gradescope scripts: static checks', () => {
  for (const script of [setupScript, runAutograder]) {
    it(`${path.basename(script)} parses (bash -n) and passes shellcheck`, function () {
      const parse = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
      expect(parse.status, parse.stderr).to.equal(0);
      const shellcheck = spawnSync('shellcheck', [script], { encoding: 'utf8' });
      if (shellcheck.error) this.skip(); // Debian's shellcheck package is not installed here
      expect(shellcheck.status, shellcheck.stdout).to.equal(0);
    });
  }
});
