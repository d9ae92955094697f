// The GitHub Actions reporter on hand-built results: the exact annotation lines for each status, the
// escapes that keep a hostile program's output inside our own command (checked by reading the lines
// back the way the Actions runner does), GitHub's limit of annotations, and the job summary rendered
// by `marked`: its table intact and no HTML from program output.
import { expect } from 'chai';
import { marked } from 'marked';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { Writable } from 'node:stream';
import type { ExperimentResult, RunResult } from '../../harness/model/result.js';
import { GithubReporter } from '../../harness/report/github.js';
import { maxErrorAnnotations, renderAnnotations } from '../../harness/report/github/annotations.js';
import { maxDetailChars, renderJobSummary } from '../../harness/report/github/job-summary.js';
import { annotation, escapeData, escapeProperty } from '../../harness/report/github/workflow-command.js';
import { errorExperiment, failedExperiment, makeProcess, makeRun, makeStep, passedExperiment, skippedExperiment } from './fixtures.js';

const workspace = '/home/runner/work/lab/lab';
const context = { workspace };

/** Output that tries every trick: workflow commands (new and legacy), Markdown, HTML, a table's pipe, control codes. */
const hostile =
  'ok\n::set-output name=grade::100\r\n  ::error file=x,line=1::pwned\n##[warning]legacy\n%0A::add-mask::secret\n' +
  '```\n</code></pre><script>alert(1)</script> <img src=x onerror=alert(2)> ![i](http://evil.example/i.png) [l](javascript:alert(3))\n' +
  '| a | b |\n\u001b[31mred\u0007 `tick` ``double``\n';

const hostileCheck = { name: 'stdout.equals', ok: false, expected: JSON.stringify('HELLO'), actual: JSON.stringify(hostile), message: 'stdout differs', location: { file: `${workspace}/specs/evil.yaml`, line: 9, column: 7 } };

const hostileExperiment: ExperimentResult = {
  ...failedExperiment,
  id: 'evil-output',
  title: 'Title with | pipe, comma: colon <b>bold</b> `code`',
  location: { file: `${workspace}/specs/evil.yaml`, line: 2, column: 3 },
  steps: [makeStep({ index: 0, status: 'failed', expectations: [hostileCheck], process: makeProcess({ stdout: hostile, stderr: hostile }) })],
  failures: [hostileCheck],
};

const interruptedExperiment: ExperimentResult = { ...passedExperiment, id: 'slow-one', title: 'Takes long', status: 'interrupted', score: 0, points: 1, location: { file: 'specs/slow.yaml', line: 4, column: 3 } };

/** What the Actions runner makes of one line of a step's output (actions/runner ActionCommand.TryParseV2, then the legacy `##[` form). */
function runnerReads(line: string): { command: string; properties: Record<string, string>; data: string } | null {
  const unescape = (text: string, pairs: Array<[string, string]>) => pairs.reduce((value, [escaped, plain]) => value.split(escaped).join(plain), text);
  const message = line.trimStart();
  if (message.startsWith('::')) {
    const end = message.indexOf('::', 2);
    if (end < 0) return null;
    const info = message.slice(2, end);
    const space = info.indexOf(' ');
    const properties: Record<string, string> = {};
    for (const pair of space < 0 ? [] : info.slice(space + 1).trim().split(',').filter(Boolean)) {
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      properties[name] = unescape(value, [['%0D', '\r'], ['%0A', '\n'], ['%3A', ':'], ['%2C', ','], ['%25', '%']]);
    }
    return { command: space < 0 ? info : info.slice(0, space), properties, data: unescape(message.slice(end + 2), [['%0D', '\r'], ['%0A', '\n'], ['%25', '%']]) };
  }
  const legacy = /##\[([^\] ]+)/.exec(line);
  return legacy ? { command: legacy[1]!, properties: {}, data: '' } : null;
}

function runOf(experiments: ExperimentResult[], overrides: Partial<RunResult> = {}): RunResult {
  return { ...makeRun(experiments), ...overrides };
}

describe('github reporter: annotations', () => {
  it('writes one error per failed or errored experiment at its spec line; none for passed and skipped ones', () => {
    expect(renderAnnotations(makeRun(), context).lines).to.deep.equal([
      '::error file=specs/tcp-echo.yaml,line=27,title=tcp-echo-upper%3A Server upper-cases the line::Failed (0 of 2 points): stdout.contains: expected HELLO WORLD, got hello world\\nsecond line (step 2: run tcp-client 127.0.0.1 40123)',
      '::error file=specs/udp.yaml,line=5,title=udp-ping%3A Ping reports loss::Not graded (0 of 4 points): ENOENT: udp-client: program not found. A fault of socklab or of this machine, not of the program.',
    ]);
    expect(renderAnnotations(runOf([passedExperiment, skippedExperiment]), context).lines).to.deep.equal([]);
  });

  it('annotates no interrupted experiment, but says once that the run was interrupted', () => {
    const run = runOf([passedExperiment, interruptedExperiment], { status: 'interrupted' });
    expect(renderAnnotations(run, context).lines).to.deep.equal(['::warning title=socklab%3A run interrupted::The run was interrupted: 1 experiment did not finish and is not graded.']);
  });

  it('writes spec paths relative to the workspace when they lie in it, and leaves others as they are', () => {
    const inside = { ...errorExperiment, location: { file: `${workspace}/socklab/specs/udp.yaml`, line: 5, column: 3 } };
    const outside = { ...errorExperiment, id: 'outside', location: { file: '/opt/socklab/specs/udp.yaml', line: 6, column: 3 } };
    const lines = renderAnnotations(runOf([inside, outside]), context).lines;
    expect(lines[0]).to.match(/^::error file=socklab\/specs\/udp.yaml,line=5,/);
    expect(lines[1]).to.match(/^::error file=\/opt\/socklab\/specs\/udp.yaml,line=6,/);
  });

  it('leaves hidden experiments unannotated', () => {
    expect(renderAnnotations(runOf([{ ...failedExperiment, hidden: true }]), context).lines).to.deep.equal([]);
  });
});

describe('github reporter: workflow-command escapes', () => {
  it('escapes %, CR and LF in a message, and also : and , in a property, % first', () => {
    expect(escapeData('100% done\r\nnext %0A')).to.equal('100%25 done%0D%0Anext %250A');
    expect(escapeProperty('a: b, c\n%')).to.equal('a%3A b%2C c%0A%25');
    expect(annotation('error', { file: 'specs/a,b.yaml', line: 3, title: 'x::y' }, 'm::n')).to.equal('::error file=specs/a%2Cb.yaml,line=3,title=x%3A%3Ay::m::n');
    expect(annotation('warning', {}, 'plain')).to.equal('::warning::plain');
  });

  it('keeps a hostile program\'s output inside one error command: the runner reads back exactly our title and message, and no command of its own', () => {
    const { lines } = renderAnnotations(runOf([hostileExperiment]), context);
    expect(lines).to.have.length(1);
    const line = lines[0]!;
    expect(line).to.not.match(/[\r\n]/);
    expect(line.startsWith('::error file=specs/evil.yaml,line=9,title=evil-output%3A Title with | pipe%2C comma%3A colon <b>bold</b> `code`::Failed (0 of 2 points): stdout.equals: expected "HELLO", got "ok\\n::set-output name=grade::100')).to.equal(true);
    const read = runnerReads(line)!;
    expect(read.command).to.equal('error');
    expect(read.properties).to.deep.equal({ file: 'specs/evil.yaml', line: '9', title: 'evil-output: Title with | pipe, comma: colon <b>bold</b> `code`' });
    // The message comes back as written: the program's line breaks are the two characters `\n`, its control codes `\x1b`.
    expect(read.data).to.match(/^Failed \(0 of 2 points\): stdout\.equals: expected "HELLO", got "ok\\n::set-output name=grade::100\\r\\n {2}::error file=x,line=1::pwned\\n##\[warning\]legacy\\n%0A::add-m…" \(step 1: /);
    expect(read.data).to.not.match(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('makes a run\'s whole stdout commands of ours only, line by line', async () => {
    let stdout = '';
    const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => ((stdout += chunk.toString()), done()) });
    await new GithubReporter({ outputDir: '/unused', stream }, { GITHUB_WORKSPACE: workspace }).onRunEnd(runOf([hostileExperiment, failedExperiment, errorExperiment]));
    const lines = stdout.replace(/\n$/, '').split(/\r\n|\r|\n/);
    expect(lines).to.have.length(3);
    expect(lines.map((line) => runnerReads(line)?.command)).to.deep.equal(['error', 'error', 'error']);
  });
});

describe('github reporter: GitHub\'s limit of annotations', () => {
  const many = Array.from({ length: maxErrorAnnotations + 3 }, (_, index) => ({ ...failedExperiment, id: `fails-${index + 1}` }));
  const run = runOf([passedExperiment, ...many]);

  it(`writes ${maxErrorAnnotations} errors and one warning that names the failures left out`, () => {
    const { lines, leftOut } = renderAnnotations(run, context);
    expect(lines.filter((line) => line.startsWith('::error '))).to.have.length(maxErrorAnnotations);
    expect(leftOut.map((experiment) => experiment.id)).to.deep.equal(['fails-11', 'fails-12', 'fails-13']);
    expect(lines.at(-1)).to.equal(
      '::warning title=socklab%3A more failures than annotations::3 more failed experiments not annotated (GitHub shows at most 10 error annotations per step): fails-11, fails-12, fails-13. The job summary and the reports list them all.',
    );
  });

  it('says in the job summary which failures are not annotated', () => {
    const { leftOut } = renderAnnotations(run, context);
    expect(renderJobSummary(run, context, leftOut)).to.contain('**Not annotated:** GitHub shows at most 10 error annotations per step, so these failures are only here: fails-11, fails-12, fails-13.');
  });
});

describe('github reporter: job summary', () => {
  /** Tag names in marked's HTML, and the HTML itself. */
  function rendered(markdown: string): { html: string; tags: Set<string> } {
    const html = marked.parse(markdown, { async: false, gfm: true });
    return { html, tags: new Set([...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((match) => match[1]!.toLowerCase())) };
  }

  it('gives the score, the counts and a table row per experiment with status and points', () => {
    const summary = renderJobSummary(makeRun(), context, []);
    expect(summary.split('\n').slice(0, 11).join('\n')).to.equal(
      [
        '## socklab: 3 of 9 points',
        '',
        '1 passed, 1 failed, 1 not graded (a fault of the grading machine), 1 skipped (they count for neither the score nor the maximum); 4.6 s, socklab 0.1.0.',
        '',
        '| | Experiment | Status | Points | Spec |',
        '|:-:|:--|:--|--:|:--|',
        '| ✅ | tcp-echo-basic: Echo one line | passed | 3 / 3 | specs/tcp-echo.yaml:3 |',
        '| ❌ | tcp-echo-upper: Server upper-cases the line | failed | 0 / 2 | specs/tcp-echo.yaml:20 |',
        '| ⚠️ | udp-ping: Ping reports loss | not graded (harness error) | 0 / 4 | specs/udp.yaml:5 |',
        '| ⏭️ | smtp-send: Send one mail | skipped: needs --network | – | specs/smtp.yaml:2 |',
        '',
      ].join('\n'),
    );
    const { html } = rendered(summary);
    expect(html).to.contain('<table>');
    expect(html.match(/<tr>/g)).to.have.length(5);
  });

  it('shows each failure\'s expected against actual in a code block, and the harness fault of an error', () => {
    const summary = renderJobSummary(makeRun(), context, []);
    expect(summary).to.contain('### ❌ tcp-echo-upper: Server upper-cases the line\n\nSpec: specs/tcp-echo.yaml:20\n\n**✗ Failed**: 0 of 2 points.');
    expect(summary).to.contain('```diff\n--- expected\n+++ actual\n@@ -1 +1,25 @@\n-HELLO WORLD\n+line 1\n');
    expect(summary).to.contain('### ⚠️ udp-ping: Ping reports loss\n\nSpec: specs/udp.yaml:5\n\n**⚠ Not graded**');
    expect(summary).to.not.contain('### ✅');
  });

  it('names the student, the programs found and the roles with none when a submission was graded', () => {
    const summary = renderJobSummary(runOf([failedExperiment], { submission: { folder: '/x/alice_b', student: 'alice_b', programs: { 'tcp-server': 'TCPServer.py' }, missing: ['tcp-client'], notes: [] } }), context, []);
    expect(summary).to.match(/^## socklab: alice\\_b, 0 of 2 points\n/);
    expect(summary).to.contain('Programs found: tcp-server: TCPServer.py.\n\n**No program found for:** tcp-client. Their experiments fail.');
  });

  it('keeps a hostile program\'s output in code blocks and its title in its cell: the table holds, and no HTML of theirs comes through', () => {
    const { html, tags } = rendered(renderJobSummary(runOf([passedExperiment, hostileExperiment]), context, []));
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => row[1]!.match(/<t[hd][ >]/g)?.length);
    expect(rows).to.deep.equal([5, 5, 5]);
    // Only the elements Markdown itself makes: no script, img, link or bold from the program or the title.
    expect([...tags].sort()).to.deep.equal(['code', 'h2', 'h3', 'p', 'pre', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr']);
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).to.contain('Title with | pipe, comma: colon &lt;b&gt;bold&lt;/b&gt;');
    expect(html).to.not.match(/<script|<img|<a |javascript:alert\(3\)<\/a>|\u001b|\u0007/);
  });

  it('leaves hidden experiments out of the table and the details, saying how many', () => {
    const summary = renderJobSummary(runOf([passedExperiment, { ...failedExperiment, hidden: true }]), context, []);
    expect(summary).to.not.contain('tcp-echo-upper');
    expect(summary).to.contain('*1 hidden experiment is not listed; those that ran count toward the score.*');
  });

  it(`stops the failure details after ${maxDetailChars.toLocaleString('en')} characters, saying how many were left out`, () => {
    const huge = (index: number): ExperimentResult => ({ ...hostileExperiment, id: `huge-${index}`, steps: [makeStep({ status: 'failed', expectations: [hostileCheck], process: makeProcess({ stderr: 'x'.repeat(290).concat('\n').repeat(10) }) })] });
    const summary = renderJobSummary(runOf(Array.from({ length: 80 }, (_, index) => huge(index))), context, []);
    expect(summary.length).to.be.below(maxDetailChars + 20_000);
    expect(summary).to.match(/\*The details of \d+ more failures are left out to keep this summary short; index.html and results.json in the report folder have them.\*\n$/);
    expect(summary.match(/^\| ❌ \| huge-/gm)).to.have.length(80);
  });
});

describe('GithubReporter', () => {
  let folder: string;
  beforeEach(async () => (folder = await mkdtemp(path.join(os.tmpdir(), 'socklab-github-'))));
  afterEach(async () => rm(folder, { recursive: true, force: true }));

  const quiet = () => new Writable({ write: (_chunk, _encoding, done) => done() });

  it('appends the job summary to $GITHUB_STEP_SUMMARY, keeping what other steps wrote', async () => {
    const summaryFile = path.join(folder, 'step_summary');
    await writeFile(summaryFile, '# Earlier step\n');
    const reporter = new GithubReporter({ outputDir: folder, stream: quiet() }, { GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: workspace });
    await reporter.onRunEnd(makeRun());
    const written = await readFile(summaryFile, 'utf8');
    expect(written.startsWith('# Earlier step\n\n## socklab: 3 of 9 points\n')).to.equal(true);
  });

  it('writes only the annotations without $GITHUB_STEP_SUMMARY, and no file in the report folder', async () => {
    let stdout = '';
    const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => ((stdout += chunk.toString()), done()) });
    await new GithubReporter({ outputDir: folder, stream }, { GITHUB_WORKSPACE: workspace }).onRunEnd(makeRun());
    expect(stdout.split('\n').filter(Boolean).every((line) => line.startsWith('::error '))).to.equal(true);
    expect(existsSync(path.join(folder, 'step_summary'))).to.equal(false);
  });
});
