// The Plan stage on its own: what an experiment will do, decided before anything runs.
import { expect } from 'chai';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadLab } from '../../harness/lab/load-lab.js';
import { RoleTable } from '../../harness/lab/role-table.js';
import { WorldUnavailableError, planExperiment, releasePlan, type PlanEnvironment } from '../../harness/plan/plan-experiment.js';
import type { ExperimentSpec } from '../../harness/spec/spec-types.js';
import { repoRoot } from '../support/paths.js';
import { loadInline } from '../support/spec-source.js';
import { TempDir } from '../support/temp-dir.js';
import { sandboxSupport } from '../../harness/process/sandbox-support.js';

const spec = (yaml: string): ExperimentSpec => {
  const { experiments, diagnostics } = loadInline(yaml);
  expect(diagnostics).to.deep.equal([]);
  return experiments[0].experiment;
};

const clientServer = `
id: plan-me
title: a client and a server
tags: [task1, tcp]
points: 2
steps:
  - start: tcp-server
    args: ["{{ports.server}}"]
    ready: { tcp: "{{ports.server}}" }
  - run: tcp-client
    args: ["{{server.host}}", "{{ports.server}}"]
    stdin: "port {{ports.server}} in {{tmp}}\\n"
    expect: { stdout: { contains: "{{ports.other}}" } }
`;

function environment(overrides: Partial<PlanEnvironment> = {}): PlanEnvironment {
  const lab = loadLab(path.join(repoRoot, 'specs', 'lab.yaml'));
  return {
    roles: new RoleTable(lab),
    weights: { task1: 1.5 },
    root: '/opt/socklab',
    fixturesDir: '/opt/socklab/specs/fixtures',
    worlds: 'required',
    namespacesUnavailable: async () => null,
    ...overrides,
  };
}

describe('planExperiment', () => {
  it('takes free ports and a temp folder, renders every template, and releases both', async () => {
    const plan = await planExperiment(spec(clientServer), environment(), 'run.1');
    try {
      expect(Object.keys(plan.ports)).to.deep.equal(['server', 'other']);
      expect(plan.ports.server).to.not.equal(plan.ports.other);
      expect(existsSync(plan.tmpDir)).to.equal(true);
      expect(plan.topology).to.equal('loopback');
      expect(plan.hosts).to.deep.equal({ server: '127.0.0.1', client: '127.0.0.1', internet: '127.0.0.1' });
      expect(plan.steps[0].body.args).to.deep.equal([String(plan.ports.server)]);
      expect(plan.steps[1].body.stdin).to.equal(`port ${plan.ports.server} in ${plan.tmpDir}\n`);
      expect(plan.steps[1].label).to.equal(`run tcp-client 127.0.0.1 ${plan.ports.server}`);
      expect(plan.tag).to.equal('run.1');
    } finally {
      await releasePlan(plan);
    }
    expect(existsSync(plan.tmpDir), 'temp folder removed').to.equal(false);
  });

  it("records what each step was told (its arguments' ports and hosts), not what it expects or waits for", async () => {
    const plan = await planExperiment(spec(clientServer), environment(), 'run.2');
    try {
      expect(plan.steps[0].told).to.deep.equal({ ports: [plan.ports.server], hosts: [] });
      expect(plan.steps[1].told).to.deep.equal({ ports: [plan.ports.server, plan.ports.server], hosts: ['127.0.0.1'] });
    } finally {
      await releasePlan(plan);
    }
  });

  it("settles each launched role's command, host and folder, and applies the lab's weights", async () => {
    const plan = await planExperiment(spec(clientServer), environment(), 'run.3');
    try {
      expect(Object.keys(plan.roles)).to.deep.equal(['tcp-server', 'tcp-client']);
      expect(plan.roles['tcp-server'].command).to.deep.equal(['node', '--no-memory-reducer', '/opt/socklab/dist/services/tcp-server.js', '--host', '127.0.0.1']);
      expect(plan.roles['tcp-server']).to.include({ host: 'server', source: 'reference', cwd: plan.tmpDir });
      expect(plan.roles['tcp-client']).to.include({ host: 'client' });
      expect(plan.roles['tcp-server'].sandbox, 'a reference program is never confined').to.equal(undefined);
      expect(plan.points).to.equal(3);
    } finally {
      await releasePlan(plan);
    }
  });

  it('confines a submission program: its folder read-only (a --role folder is not its own), the temp folder, its /tmp, as a user of its own', async () => {
    const env = environment({ sandbox: { hidden: ['/srv/class'] } });
    env.roles.override('tcp-client', 'python3 TCPClient.py', '/srv/class/alice');
    const plan = await planExperiment(spec(clientServer), env, 'run.4');
    try {
      const { user, ...request } = plan.roles['tcp-client'].sandbox!;
      expect(request).to.deep.equal({ writable: [plan.tmpDir], readable: ['/srv/class/alice'], cwd: '/srv/class/alice', hidden: ['/srv/class'], tmp: path.join(plan.tmpDir, 'tmp') });
      // A user of its own where socklab can change users (root, setpriv), the one the plan gives back.
      if (sandboxSupport().setpriv) {
        expect(user).to.deep.equal(plan.sandboxUser);
        expect(statSync(plan.tmpDir).uid, 'its temp folder is that user\'s').to.equal(user!.uid);
      } else expect(user).to.equal(undefined);
      expect(plan.roles['tcp-client'].env, 'in the sandbox, /tmp is that folder').to.deep.equal({});
      expect(plan.roles['tcp-server'].sandbox).to.equal(undefined);
      expect(plan.roles['tcp-server'].env, 'outside, TMPDIR says where it is').to.deep.equal({ TMPDIR: path.join(plan.tmpDir, 'tmp') });
    } finally {
      await releasePlan(plan);
    }
  });

  it("gives each experiment its own copy of a submission's folder to work in, and its /tmp, sandbox or not", async () => {
    const temp = new TempDir();
    try {
      const alice = path.join(temp.path, 'alice');
      temp.write('alice/src/TCPClient.py', 'print("hi")\n');
      temp.write('alice/.git/HEAD', 'ref: refs/heads/main\n');
      for (const sandbox of [undefined, { hidden: [temp.path] }]) {
        const env = environment({ sandbox, copyPerExperiment: [alice] });
        env.roles.override('tcp-client', 'python3 TCPClient.py', path.join(alice, 'src'));
        const plan = await planExperiment(spec(clientServer), env, 'run.7');
        try {
          const copy = path.join(plan.tmpDir, 'submission');
          expect(plan.roles['tcp-client'].cwd).to.equal(path.join(copy, 'src'));
          expect(readFileSync(path.join(copy, 'src', 'TCPClient.py'), 'utf8')).to.equal('print("hi")\n');
          expect(existsSync(path.join(copy, '.git')), 'without version control').to.equal(false);
          expect(existsSync(path.join(plan.tmpDir, 'tmp'))).to.equal(true);
          if (sandbox) expect(plan.roles['tcp-client'].sandbox).to.include({ cwd: path.join(copy, 'src') }).and.deep.include({ writable: [path.join(copy, 'src'), plan.tmpDir] });
          else expect(plan.roles['tcp-client'].env).to.deep.equal({ TMPDIR: path.join(plan.tmpDir, 'tmp') });
        } finally {
          await releasePlan(plan);
        }
      }
    } finally {
      temp.remove();
    }
  });

  it('puts --isolate experiments in a world of their own, and falls back to loopback with a note when it cannot', async () => {
    const twoHosts = await planExperiment(spec(clientServer), environment({ worlds: 'all' }), 'run.5');
    await releasePlan(twoHosts);
    expect(twoHosts.topology).to.equal('two-hosts');
    expect(twoHosts.hosts).to.deep.equal({ server: '192.0.2.1', client: '192.0.2.2', internet: '192.0.2.3' });
    expect(twoHosts.steps[1].body.args).to.deep.equal(['192.0.2.1', String(twoHosts.ports.server)]);

    const fallback = await planExperiment(spec(clientServer), environment({ worlds: 'all', namespacesUnavailable: async () => 'network namespaces need root' }), 'run.6');
    await releasePlan(fallback);
    expect(fallback.topology).to.equal('loopback');
    expect(fallback.notes).to.deep.equal(['ran on loopback, not in its own network world: network namespaces need root']);

    const withProbe = spec(`id: probe\ntitle: t\nsteps:\n  - http: "http://{{server.host}}:{{ports.web}}/"\n`);
    const probe = await planExperiment(withProbe, environment({ worlds: 'all' }), 'run.7');
    await releasePlan(probe);
    expect(probe.topology, 'probes and fixtures run in the world too').to.equal('two-hosts');
    expect(probe.steps[0]).to.include({ host: 'client' });
  });

  it('gives a world to the experiments that run a submission program, and only those, by default when grading', async () => {
    const env = environment({ worlds: 'submissions' });
    const reference = await planExperiment(spec(clientServer), env, 'run.11');
    await releasePlan(reference);
    expect(reference.topology, 'reference programs only').to.equal('loopback');
    env.roles.override('tcp-client', 'python3 TCPClient.py', '/srv/class/alice');
    const student = await planExperiment(spec(clientServer), env, 'run.12');
    await releasePlan(student);
    expect(student.topology).to.equal('two-hosts');
    expect(student.steps.map((step) => step.host)).to.deep.equal(['server', 'client']);
    expect(student.roles['tcp-server'].commonPorts).to.deep.equal([12000]);
  });

  it('refuses an experiment that requires two hosts where none can be made (it is skipped, not failed)', async () => {
    const required = spec(`id: req\ntitle: t\ntopology: two-hosts\nsteps:\n  - run: tcp-client\n    args: ["{{server.host}}", "{{ports.server}}"]\n`);
    let error: unknown;
    try {
      await releasePlan(await planExperiment(required, environment({ namespacesUnavailable: async () => 'no ip' }), 'run.8'));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(WorldUnavailableError);
    expect((error as Error).message).to.equal('this experiment needs its own network world (topology: two-hosts), but no ip');
  });

  it('plans packet capture on the experiment ports, with its expectations', async () => {
    const captured = spec(`id: cap\ntitle: t\ncapture: { expect: { handshake: refused } }\nsteps:\n  - run: tcp-client\n    args: ["{{server.host}}", "{{ports.server}}"]\n`);
    const plan = await planExperiment(captured, environment(), 'run.9');
    await releasePlan(plan);
    expect(plan.capture).to.deep.equal({ ports: [plan.ports.server], expect: { handshake: 'refused' }, inWorld: false });
    const none = await planExperiment(spec(clientServer), environment(), 'run.10');
    await releasePlan(none);
    expect(none.capture).to.equal(undefined);
  });
});
