// Nothing of an experiment's world outlives its run, an interrupted run included: no network
// namespace (their iptables rules and links go with them), no /etc/netns files, no namespace agent.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'world');

function leftovers(pid: number): string[] {
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.startsWith(`socklab-${pid}-`));
  const files = existsSync('/etc/netns') ? readdirSync('/etc/netns').filter((name) => name.startsWith(`socklab-${pid}-`)) : [];
  const agents = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('namespace-agent.js') && line.includes(`--socklab=${pid}`));
  return [...namespaces.map((name) => `namespace ${name}`), ...files.map((name) => `/etc/netns/${name}`), ...agents.map((line) => `agent: ${line}`)];
}

describe('worlds leave nothing behind (end to end)', function () {
  this.timeout(120_000);
  let temp: TempDir;
  before(function () {
    needsTool(this, 'netns');
    needsTool(this, 'iptables');
  });
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  it('after a run that finishes', async () => {
    const cli = await runCli(['grade', path.join(fixtures, 'server-port-12000'), '-s', path.join(fixtures, 'specs', 'tcp.yaml'), '-o', temp.path, '-r', 'json'], { cwd: repoRoot });
    expect(cli.exitCode, cli.stderr).to.equal(0);
    expect(leftovers(cli.pid)).to.deep.equal([]);
  });

  it('after a run interrupted with Ctrl-C in the middle of its experiments', async () => {
    const spec = temp.write(
      'slow.yaml',
      `- id: slow
  title: a client waits for a reply that never comes
  steps:
    - start: tcp-server
      args: ["{{ports.server}}"]
      ready: { tcp: "{{ports.server}}" }
    - sleep: 20s
`,
    );
    let sawWorld = false;
    const cli = await runCli(['grade', path.join(fixtures, 'server-port-12000'), '-s', spec, '-o', path.join(temp.path, 'out'), '-r', 'json'], {
      cwd: repoRoot,
      onStart: (pid) => {
        const poll = setInterval(() => {
          if (!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(`socklab-${pid}-`)) return;
          sawWorld = true;
          clearInterval(poll);
          // Give the server time to start inside its world, then interrupt.
          setTimeout(() => process.kill(pid, 'SIGINT'), 1500);
        }, 100);
      },
    });
    expect(sawWorld, 'the world existed while it ran').to.equal(true);
    expect(cli.exitCode, cli.stderr).to.equal(130);
    expect(leftovers(cli.pid)).to.deep.equal([]);
  });
});
