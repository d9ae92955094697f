// junit.xml of real runs against junit-10.xsd, the schema of Jenkins' xunit plugin (which skips a
// whole file that fails it), checked by a real validator: xmllint (Debian's libxml2-utils; pending
// where it is missing, a failure under CI=true, as test/support/tools.ts does for every optional tool).
// test/fixtures/junit-xsd/README.md says where the schema comes from.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { renderJunit } from '../../harness/report/junit.js';
import { makeRun } from '../report/fixtures.js';
import { fixtureLab } from '../support/fixture-lab.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';

const schema = path.join(repoRoot, 'test', 'fixtures', 'junit-xsd', 'junit-10.xsd');

/** xmllint's verdict on `file`: '' when valid, else its complaints. */
function schemaProblems(file: string): string {
  const check = spawnSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8' });
  return check.status === 0 ? '' : check.stderr || `xmllint exit ${check.status}`;
}

interface Attributes {
  [name: string]: unknown;
}

function parseJunit(file: string): { testsuites: Attributes & { testsuite: Attributes[] } } {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) });
  return parser.parse(readFileSync(file, 'utf8')) as { testsuites: Attributes & { testsuite: Attributes[] } };
}

describe('junit.xml is valid against junit-10.xsd (xmllint)', function () {
  this.timeout(120_000);
  let temp: TempDir;
  before(function () {
    needsTool(this, 'xmllint');
  });
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  it('the schema itself rejects what junit.xml used to hold (so a pass below means something)', () => {
    const old = temp.write(
      'old.xml',
      '<testsuites tests="1" skipped="0" timestamp="2025-03-01T10:00:00Z"><testsuite name="s" tests="1" failures="0" errors="0">' +
        '<testcase name="t" file="s.yaml" line="3"><properties><property name="points" value="1"/></properties></testcase></testsuite></testsuites>',
    );
    const problems = schemaProblems(old);
    for (const attribute of ["attribute 'skipped'", "attribute 'timestamp'", "attribute 'file'", "attribute 'line'", "Element 'properties': This element is not expected"]) {
      expect(problems).to.contain(attribute);
    }
  });

  it('for passing, failing, erroring and skipped experiments in two spec files, with paths relative to the working folder', async () => {
    const lab = fixtureLab(temp);
    temp.write(
      'specs/mixed.yaml',
      `- id: passes
  title: "echo <one> & \\"two\\""
  steps:
    - run: echo
      stdin: "hello <script>]]>\\n"
      expect: { stdout: { contains: hello } }
- id: fails
  title: a wrong expectation
  steps:
    - run: echo
      stdin: "hello\\n"
      expect: { stdout: { contains: HELLO }, exit: 3 }
- id: skips
  title: skipped by the spec
  skip: not on this machine
  steps:
    - run: echo
`,
    );
    // A TCP relay told to drop segments is a fault of the spec the loader lets through: a harness error.
    temp.write(
      'specs/broken-relay.yaml',
      `id: errs
title: a harness error
steps:
  - relay: link
    protocol: tcp
    listen: "{{ports.link}}"
    to: "{{ports.server}}"
    drop: [1]
`,
    );
    const run = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', 'reports', '--reporter', 'junit,json'], { cwd: temp.path });
    expect(run.exitCode, run.stderr).to.equal(3);
    const junit = path.join(temp.path, 'reports', 'junit.xml');
    expect(schemaProblems(junit)).to.equal('');

    const { testsuites } = parseJunit(junit);
    expect(testsuites).to.include({ tests: '4', failures: '1', errors: '1' });
    expect(testsuites.testsuite.map((suite) => [suite.name, suite.file, suite.skipped])).to.have.deep.members([
      ['specs/mixed.yaml', 'specs/mixed.yaml', '1'],
      ['specs/broken-relay.yaml', 'specs/broken-relay.yaml', '0'],
    ]);
    const failed = testsuites.testsuite.flatMap((suite) => suite.testcase as Attributes[]).find((testcase) => String(testcase.name).startsWith('fails:'))!;
    const failure = failed.failure as Attributes;
    expect(failure.message).to.equal('exit: expected exit code 3, got exit code 0 (step 1: run echo; 1 more failed check)');
    expect(failure['#text']).to.match(/^fails \(specs\/mixed\.yaml:7\)\n/).and.contain('stdout.contains (specs/mixed.yaml:12)');
  });

  it('for an interrupted run', async () => {
    const lab = fixtureLab(temp);
    temp.write(
      'specs/interrupt.yaml',
      `- { id: quick, title: finishes at once, steps: [{ run: exit-code, args: ["0"] }] }
- { id: long, title: runs until interrupted, steps: [{ run: sleeper, timeout: 60s }] }
`,
    );
    const out = path.join(temp.path, 'reports');
    let poll: NodeJS.Timeout | undefined;
    const run = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', out, '--jobs', '1', '--reporter', 'console,junit'], {
      onStart: (pid, output) => {
        poll = setInterval(() => {
          if (!/✓ quick/.test(output())) return;
          clearInterval(poll);
          setTimeout(() => process.kill(pid, 'SIGINT'), 300);
        }, 50);
      },
    }).finally(() => clearInterval(poll));
    expect(run.exitCode, run.stdout + run.stderr).to.equal(130);
    const junit = path.join(out, 'junit.xml');
    expect(schemaProblems(junit)).to.equal('');
    const [suite] = parseJunit(junit).testsuites.testsuite;
    expect(suite).to.include({ tests: '2', skipped: '1' });
    expect((suite!.testcase as Attributes[])[1]!.skipped).to.deep.equal({ message: 'interrupted' });
  });

  it("for the reporter tests' hand-made run: hostile output, every status", () => {
    const file = temp.write('fixture.xml', renderJunit(makeRun(), { hostname: 'ci', workingDir: temp.path }));
    expect(schemaProblems(file)).to.equal('');
  });
});
