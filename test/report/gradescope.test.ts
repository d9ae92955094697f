// The Gradescope reporter on hand-built results: the published format, totals that agree with
// socklab's scoring, what a student reads under a failed test (input, diff, end of stderr, hint),
// skipped and hidden experiments, program output that tries to become Markdown, and the size cap.
import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { marked } from 'marked';
import type { ExperimentResult, RunResult } from '../../harness/model/result.js';
import { countResults } from '../../harness/model/result.js';
import { runTotals } from '../../harness/model/scoring.js';
import { toGradescope } from '../../harness/report/gradescope.js';
import { maxTestOutputChars } from '../../harness/report/gradescope/test-output.js';
import { gradescopeResultsSchema } from '../support/gradescope-schema.js';
import { errorExperiment, makeProcess, makeRun, makeStep, passedExperiment } from './fixtures.js';

const lines = (count: number, word: string) => Array.from({ length: count }, (_, i) => `${word} ${i + 1}`).join('\n') + '\n';

function experiment(overrides: Partial<ExperimentResult> & Pick<ExperimentResult, 'id' | 'status'>): ExperimentResult {
  return { ...passedExperiment, title: overrides.id, tags: ['task1'], points: 1, score: 0, steps: [], failures: [], ...overrides };
}

const upperFailure = {
  name: 'stdout.contains',
  ok: false,
  expected: JSON.stringify('STRASSE OK'),
  actual: JSON.stringify('From Server: STRAßE OK\n'),
  message: '"STRASSE OK" not found',
};

const failedUpper = experiment({
  id: 'tcp-non-ascii',
  status: 'failed',
  points: 2,
  explain: 'Only the 26 letters `a–z` change.',
  feedback: [{ code: 'str-upper', message: 'TCPServer.py uses str.upper()' }],
  steps: [
    makeStep({ index: 0, kind: 'start', label: 'start tcp-server 40123', process: makeProcess({ command: ['python3', 'TCPServer.py', '40123'], stderr: lines(25, 'server warning') }) }),
    makeStep({
      index: 1,
      status: 'failed',
      label: 'run tcp-client 127.0.0.1 40123',
      stdin: 'straße ok\n',
      expectations: [upperFailure, { name: 'exit', ok: true, expected: '0', actual: '0', message: '' }],
      process: makeProcess({ command: ['python3', 'TCPClient.py', '127.0.0.1', '40123'], stdout: 'From Server: STRAßE OK\n', stderr: lines(12, 'client trace') }),
    }),
  ],
  failures: [upperFailure],
});

const skippedCapture = experiment({ id: 'p1-capture', status: 'skipped', points: 3, skipReason: 'tcpdump is not installed', steps: [makeStep({ status: 'skipped', skipReason: 'tcpdump is not installed' })] });

const hiddenFailure = { name: 'stdout.equals', ok: false, expected: JSON.stringify('SECRET EXPECTED'), actual: JSON.stringify('secret actual'), message: 'output differs: SECRET-MESSAGE' };
const hiddenFailed = experiment({
  id: 'hidden-robustness',
  title: 'Hidden robustness check',
  status: 'failed',
  hidden: true,
  steps: [makeStep({ status: 'failed', stdin: 'hidden input', expectations: [hiddenFailure], process: makeProcess({ stderr: 'HIDDEN-STDERR\n' }) })],
  failures: [hiddenFailure],
  feedback: [{ code: 'x', message: 'HIDDEN-HINT' }],
});

/** A run whose score and maxScore come from socklab's own scoring, as runSuite computes them. */
function runOf(experiments: ExperimentResult[]): RunResult {
  return { ...makeRun(experiments), counts: countResults(experiments), ...runTotals(experiments) };
}

const validate = new Ajv2020({ strict: false }).compile(gradescopeResultsSchema);

describe('gradescope reporter', () => {
  const run = runOf([passedExperiment, failedUpper, skippedCapture, hiddenFailed, errorExperiment]);
  const results = toGradescope(run);
  const test = (id: string) => results.tests.find((candidate) => candidate.name.startsWith(`${id}:`))!;

  it('writes Gradescope results that validate against the published format, in Markdown', () => {
    expect(validate(results), JSON.stringify(validate.errors)).to.equal(true);
    expect(results.output_format).to.equal('md');
    expect(results.tests.every((candidate) => candidate.output_format === 'md')).to.equal(true);
  });

  it('keeps max_score equal to socklab\'s totals: a skipped experiment is a visible test of 0 out of 0, with its reason and no status', () => {
    expect(results.max_score).to.equal(run.maxScore).and.to.equal(3 + 2 + 1 + 4);
    expect(results.score).to.equal(run.score).and.to.equal(3);
    expect(results.tests.reduce((sum, candidate) => sum + candidate.max_score, 0)).to.equal(results.max_score);
    expect(results.tests.reduce((sum, candidate) => sum + candidate.score, 0)).to.equal(results.score);
    const skipped = test('p1-capture');
    expect(skipped).to.include({ name: 'p1-capture: p1-capture (skipped)', score: 0, max_score: 0, visibility: 'visible' });
    expect(skipped).to.not.have.property('status');
    expect(skipped.extra_data).to.deep.equal({ socklab_status: 'skipped' });
    expect(skipped.output).to.equal('**Skipped**: tcpdump is not installed. It did not run on this grading machine, so it counts for neither your score nor the maximum.');
  });

  it('shows a failed test\'s command, the input sent, expected against actual as a diff, the end of stderr and the hint', () => {
    expect(test('tcp-non-ascii').output).to.equal(
      [
        '**✗ Failed**: 0 of 2 points.',
        '**Hint:** TCPServer.py uses str.upper()',
        '**Step 2: run tcp-client 127.0.0.1 40123**: exit 0',
        'Command:\n\n```\npython3 TCPClient.py 127.0.0.1 40123\n```',
        'Input sent (stdin):\n\n```\nstraße ok\n```',
        '✗ "STRASSE OK" not found (`stdout.contains`)',
        '```diff\n--- expected\n+++ actual\n@@ -1 +1 @@\n-STRASSE OK\n+From Server: STRAßE OK\n```',
        `stderr (last 10 of 12 lines):\n\n\`\`\`\n… 2 more lines before\n${lines(12, 'client trace').trim().split('\n').slice(2).join('\n')}\n\`\`\``,
        `stderr of step 1: start tcp-server 40123 (last 10 of 25 lines):\n\n\`\`\`\n… 15 more lines before\n${lines(25, 'server warning').trim().split('\n').slice(15).join('\n')}\n\`\`\``,
        '**About this experiment**\n\nOnly the 26 letters `a–z` change.',
      ].join('\n\n'),
    );
    expect(test('tcp-non-ascii')).to.include({ status: 'failed', score: 0, max_score: 2 });
  });

  it('tells a harness fault from the student\'s failure', () => {
    expect(test('udp-ping').output).to.match(/^\*\*⚠ Not graded\*\*: a fault of the grading machine, not of your program \(ENOENT: udp-client: program not found\)\. It counts 0 of 4 points; please tell your instructor\./);
    expect(test('udp-ping')).to.include({ status: 'failed', score: 0, max_score: 4 });
  });

  it('hides a hidden experiment\'s test, and its results never reach the top-level output that every student sees', () => {
    const hidden = test('hidden-robustness');
    expect(hidden.visibility).to.equal('hidden');
    expect(hidden.output).to.contain('SECRET-MESSAGE').and.to.contain('HIDDEN-STDERR');
    expect(results.visibility).to.equal('visible');
    for (const secret of ['hidden-robustness', 'Hidden robustness', 'SECRET', 'HIDDEN', 'hidden input']) expect(results.output).to.not.contain(secret);
    expect(results.output).to.equal(
      [
        'socklab 0.1.0: 4 experiments shown below: 1 passed, 1 failed, 1 not graded (a fault of the grading machine), 1 skipped.',
        '1 hidden experiment is not shown here; those that ran count toward your score.',
        'Skipped experiments could not run on this grading machine; they count for neither your score nor the maximum.',
      ].join('\n\n'),
    );
    expect(results.stdout_visibility).to.equal('hidden');
  });

  it('says which programs were found and which role has none', () => {
    const withSubmission: RunResult = { ...run, submission: { folder: '/s/alice', student: 'alice', programs: { 'tcp-server': 'TCPServer.py' }, missing: ['web-server', 'proxy'], notes: [] } };
    const output = toGradescope(withSubmission).output.split('\n\n');
    expect(output.slice(-2)).to.deep.equal(['Programs found: tcp-server: TCPServer.py.', '**No program found for:** web-server, proxy. Their experiments fail.']);
  });

  it('keeps program output from becoming Markdown: longer fences than any backtick run, escaped messages, visible control codes', async () => {
    const hostile = '```\n# heading\n[click](http://evil.example) <img src=x onerror=alert(1)>\n\u001b[31mred\n';
    const failure = { name: 'stdout.equals', ok: false, expected: JSON.stringify('ok'), actual: JSON.stringify(hostile), message: `output differs: ${hostile}` };
    const output = toGradescope(runOf([experiment({ id: 'hostile', status: 'failed', steps: [makeStep({ status: 'failed', stdin: '````x', expectations: [failure], process: makeProcess({ stdout: hostile }) })], failures: [failure] })])).tests[0]!.output;
    expect(output).to.contain('Input sent (stdin):\n\n`````\n````x\n`````');
    expect(output).to.contain('✗ output differs: \\`\\`\\` # heading \\[click\\](http\\://evil.example) \\<img src=x onerror=alert(1)\\> \\\\x1b\\[31mred  (`stdout.equals`)');
    // Rendered by a GFM renderer, none of it is a link, an image, a heading or an HTML element.
    const html = await marked.parse(output, { gfm: true });
    expect(html).to.not.match(/<a |<img|<h1/);
    expect(html).to.contain('&lt;img src=x onerror=alert(1)&gt;');
    expect(output).to.contain('````diff\n--- expected\n+++ actual\n@@ -1 +1,4 @@\n-ok\n+```\n+# heading\n+[click](http://evil.example) <img src=x onerror=alert(1)>\n+\\x1b[31mred\n````');
  });

  it('cuts a test\'s output to the cap at a section boundary and says so', () => {
    const failures = Array.from({ length: 60 }, (_, i) => ({ name: 'stdout.equals', ok: false, expected: JSON.stringify(lines(30, `expected ${i}`)), actual: JSON.stringify(lines(30, `actual ${i}`)), message: `check ${i} failed` }));
    const output = toGradescope(runOf([experiment({ id: 'huge', status: 'failed', steps: [makeStep({ status: 'failed', expectations: failures, process: makeProcess({ stderr: 'x'.repeat(100_000) }) })], failures })])).tests[0]!.output;
    expect(output.length).to.be.at.most(maxTestOutputChars);
    expect(output).to.match(/\n\n\*… \d+ more sections cut: the output of one test is kept under 10,000 characters\. Your instructor has the full report\.\*$/);
    expect((output.match(/^```/gm) ?? []).length % 2, 'every fence is closed').to.equal(0);
  });
});
