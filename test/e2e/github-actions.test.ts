// GitHub Actions end to end: `socklab run -r github` on inline specs as a workflow step would run it
// (GITHUB_WORKSPACE and GITHUB_STEP_SUMMARY set), its stdout read line by line and its job summary
// rendered; and the example workflows in examples/github/: well-formed, with the keys a workflow
// needs, calling socklab only with options it has, and clean under actionlint where it is installed.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { marked } from 'marked';
import { parse } from 'yaml';
import { repoRoot } from '../support/paths.js';
import { fixtureLab } from '../support/fixture-lab.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';

const spec = `- id: copies
  title: echo copies its input
  steps:
    - run: echo
      stdin: "hello\\n"
      expect: { stdout: { contains: "hello" } }
- id: hostile-output
  title: "prints workflow commands | and markup"
  steps:
    - run: echo
      stdin: "::set-output name=grade::100\\n::error file=x,line=1::pwned\\n<script>alert(1)</script> \`\`\` | a |\\n"
      expect:
        stdout: { contains: "EXPECTED" }
`;

describe('socklab run --reporter github (end to end)', function () {
  this.timeout(120_000);
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  it('prints one error annotation at the failed check\'s line and appends the job summary to $GITHUB_STEP_SUMMARY', async () => {
    const lab = fixtureLab(temp);
    temp.write('specs/github.yaml', spec);
    const summaryFile = temp.write('step-summary.md', '# Set up job\n');
    const run = await runCli(['run', 'specs', '--lab', lab, '--out', 'reports', '--reporter', 'github', '--jobs', '2'], {
      cwd: temp.path,
      env: { GITHUB_WORKSPACE: temp.path, GITHUB_STEP_SUMMARY: summaryFile },
    });
    expect(run.exitCode, run.stderr).to.equal(1);
    expect(run.stdout.split('\n')).to.deep.equal([
      '::error file=specs/github.yaml,line=13,title=hostile-output%3A prints workflow commands | and markup::Failed (0 of 1 point): stdout.contains: expected "EXPECTED", got "::set-output name=grade::100\\n::error file=x,line=1::pwned\\n<script>alert(1)</script> ``` | a |\\n" (step 1: run echo)',
      '',
    ]);

    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary.startsWith('# Set up job\n\n## socklab: 1 of 2 points\n\n1 passed, 1 failed; ')).to.equal(true);
    expect(summary).to.contain('| ✅ | copies: echo copies its input | passed | 1 / 1 | specs/github.yaml:1 |');
    expect(summary).to.contain('| ❌ | hostile-output: prints workflow commands \\| and markup | failed | 0 / 1 | specs/github.yaml:7 |');
    const html = marked.parse(summary, { async: false, gfm: true });
    expect(html.match(/<tr>/g)).to.have.length(3);
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).to.not.contain('<script>');
  });
});

const examples = path.join(repoRoot, 'examples', 'github');
const workflowFiles = readdirSync(examples).filter((name) => name.endsWith('.yml'));

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
}
interface Job {
  'runs-on': string;
  needs?: string | string[];
  if?: string;
  strategy?: { matrix: Record<string, unknown[]> };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

function workflow(name: string): Workflow {
  return parse(readFileSync(path.join(examples, name), 'utf8'), { prettyErrors: true }) as Workflow;
}

/** Each `socklab/bin/socklab.js COMMAND …` in a run script, as the command and the options it passes. */
function socklabCalls(script: string): Array<{ command: string; options: string[] }> {
  const words = script.replace(/\\\n/g, ' ').split(/\s+/);
  return words.flatMap((word, index) => {
    if (!word.endsWith('socklab/bin/socklab.js')) return [];
    const rest = words.slice(index + 2);
    const end = rest.findIndex((candidate) => /^(&&|\|\||;|\|)$/.test(candidate));
    return [{ command: words[index + 1]!, options: (end < 0 ? rest : rest.slice(0, end)).filter((candidate) => /^-/.test(candidate)) }];
  });
}

describe('example GitHub workflows (examples/github/)', function () {
  this.timeout(60_000);

  it('are there: a Classroom autograding workflow and a sharded class', () => {
    expect(workflowFiles.sort()).to.deep.equal(['classroom.yml', 'grade-class.yml']);
  });

  for (const file of workflowFiles) {
    it(`${file} parses and has what a workflow needs: on, jobs, runs-on and steps that each use an action at a version or run a script`, () => {
      const parsed = workflow(file);
      expect(parsed).to.include.keys('name', 'on', 'jobs');
      expect(Object.keys(parsed.jobs)).to.not.be.empty;
      for (const [id, job] of Object.entries(parsed.jobs)) {
        expect(job['runs-on'], id).to.be.a('string');
        expect(job.steps, id).to.be.an('array').that.is.not.empty;
        for (const step of job.steps) {
          expect(Boolean(step.uses) !== Boolean(step.run), `${id}: ${step.name}: exactly one of uses and run`).to.equal(true);
          if (step.uses) expect(step.uses, `${id}: ${step.name}`).to.match(/^[\w.-]+\/[\w.-]+@v\d+$/);
        }
      }
    });

    it(`${file} calls socklab only with commands and options it has`, async () => {
      const calls = Object.values(workflow(file).jobs).flatMap((job) => job.steps.flatMap((step) => (step.run ? socklabCalls(step.run) : [])));
      expect(calls).to.not.be.empty;
      for (const { command, options } of calls) {
        const help = await runCli([command, '--help']);
        expect(help.exitCode, `socklab ${command} --help`).to.equal(0);
        const known = new Set(help.stdout.match(/(?<![\w-])--?[a-z][\w-]*/g));
        for (const option of options) expect(known.has(option.split('=')[0]!), `socklab ${command} ${option}`).to.equal(true);
      }
    });
  }

  it('classroom.yml grades the checked-out submission with the github and json reporters, uploads the reports whatever happened, and gives Classroom its points', () => {
    const job = workflow('classroom.yml').jobs['run-autograding-tests']!;
    const grade = job.steps.find((step) => step.run?.includes('socklab.js grade'))!;
    expect(grade.run).to.contain('socklab/bin/socklab.js grade submission').and.contain('-s socklab/specs/task1').and.contain('-r github,json');
    expect(grade.run, 'root for network worlds, keeping GITHUB_STEP_SUMMARY').to.match(/^sudo -E /);
    const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload).to.deep.include({ if: 'always()' });
    expect(upload.with).to.deep.include({ path: 'reports/' });
    const apt = job.steps.find((step) => step.run?.includes('apt-get install'))!;
    expect(apt.run).to.contain('tcpdump iproute2 iptables bubblewrap');
    expect(job.steps.map((step) => step.uses?.split('@')[0])).to.include.members(['classroom-resources/autograding-command-grader', 'classroom-resources/autograding-grader-reporter']);
  });

  it('grade-class.yml grades one shard per matrix job, uploads each shard, and merges them all in a last job', () => {
    const { grade, merge } = workflow('grade-class.yml').jobs as Record<string, Job>;
    expect(grade!.strategy!.matrix.shard).to.deep.equal([1, 2, 3, 4]);
    const run = grade!.steps.find((step) => step.run?.includes('socklab.js grade'))!.run!;
    expect(run).to.contain('--class course/submissions').and.contain('--shard ${{ matrix.shard }}/${{ strategy.job-total }}').and.contain('-o grades/shard-${{ matrix.shard }}');
    expect(grade!.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))!.with).to.deep.include({ name: 'grades-shard-${{ matrix.shard }}', path: 'grades/shard-${{ matrix.shard }}/' });
    expect(merge!.needs).to.equal('grade');
    expect(merge!.if).to.equal('${{ !cancelled() }}');
    expect(merge!.steps.find((step) => step.uses?.startsWith('actions/download-artifact@'))!.with).to.deep.include({ pattern: 'grades-shard-*', path: 'shards' });
    expect(merge!.steps.some((step) => step.run === 'node socklab/bin/socklab.js merge shards/grades-shard-* -o class')).to.equal(true);
  });

  it('pass actionlint (pending where actionlint is not installed)', function () {
    const version = spawnSync('actionlint', ['-version'], { encoding: 'utf8' });
    if (version.error) this.skip();
    const lint = spawnSync('actionlint', workflowFiles.map((name) => path.join(examples, name)), { encoding: 'utf8' });
    expect(lint.status, lint.stdout + lint.stderr).to.equal(0);
  });
});
