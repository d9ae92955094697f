import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { JunitReporter, renderJunit } from '../../harness/report/junit.js';
import { failureMessage, maxMessageLength } from '../../harness/report/junit-message.js';
import { failedExperiment, hostileOutputInXml, makeRun, passedExperiment } from './fixtures.js';

interface Node {
  [key: string]: unknown;
}

// htmlEntities decodes numeric references such as &#10; too; parseTagValue off keeps every value a string.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  htmlEntities: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

describe('JunitReporter', () => {
  let outputDir: string;
  let xml: string;
  let suites: Node[];
  let cases: Node[];

  beforeEach(async () => {
    outputDir = await mkdtemp(path.join(os.tmpdir(), 'socklab-junit-'));
    await new JunitReporter({ outputDir }).onRunEnd(makeRun());
    xml = await readFile(path.join(outputDir, 'junit.xml'), 'utf8');
    const document = parser.parse(xml) as { testsuites: Node & { testsuite: Node[] } };
    suites = document.testsuites.testsuite;
    cases = suites.flatMap((suite) => suite.testcase as Node[]);
  });

  afterEach(async () => {
    await rm(outputDir, { recursive: true, force: true });
  });

  it('writes well-formed XML', () => {
    expect(XMLValidator.validate(xml)).to.equal(true);
  });

  it('counts results on <testsuites> and per spec file; skipped only per file (junit-10.xsd has no skipped on <testsuites>)', () => {
    const root = (parser.parse(xml) as { testsuites: Node }).testsuites;
    expect([root['@tests'], root['@failures'], root['@errors']]).to.deep.equal(['4', '1', '1']);
    expect(root).to.not.have.any.keys('@skipped', '@timestamp');
    expect(suites.map((suite) => suite['@name'])).to.deep.equal(['specs/tcp-echo.yaml', 'specs/udp.yaml', 'specs/smtp.yaml']);
    expect(suites.map((suite) => suite['@skipped'])).to.deep.equal(['0', '0', '1']);
    const tcp = suites[0]!;
    expect([tcp['@tests'], tcp['@failures'], tcp['@errors'], tcp['@skipped'], tcp['@time'], tcp['@file']]).to.deep.equal(['2', '1', '0', '0', '2.468', 'specs/tcp-echo.yaml']);
  });

  it('names each testcase by id and title, with classname from the first tag or else the file stem', () => {
    expect(cases.map((c) => c['@name'])).to.deep.equal([
      'tcp-echo-basic: Echo one line',
      'tcp-echo-upper: Server upper-cases the line',
      'udp-ping: Ping reports loss',
      'smtp-send: Send one mail',
    ]);
    expect(cases.map((c) => c['@classname'])).to.deep.equal(['tcp', 'tcp-echo', 'udp', 'smtp']);
    expect(cases[0]!['@time']).to.equal('0.123');
    // junit-10.xsd allows only name, classname, time and group on <testcase>.
    for (const testcase of cases) expect(Object.keys(testcase).filter((key) => key.startsWith('@'))).to.have.members(['@name', '@classname', '@time']);
  });

  it('reports a failed expectation as <failure> and a harness fault as <error>', () => {
    const [passed, failed, errored, skipped] = cases as [Node, Node, Node, Node];
    expect(passed).to.not.have.any.keys('failure', 'error', 'skipped');
    expect(failed).to.have.property('failure').that.is.an('object');
    expect(failed).to.not.have.property('error');
    const failure = failed.failure as Node;
    expect(failure['@type']).to.equal('expectation');
    expect(failure['@message']).to.equal('stdout.contains: expected HELLO WORLD, got hello world\\nsecond line (step 2: run tcp-client 127.0.0.1 40123)');
    expect(failure['#text']).to.match(/^tcp-echo-upper \(specs\/tcp-echo\.yaml:20\)\n/);
    expect(failure['#text']).to.include('step 2: run tcp-client 127.0.0.1 40123\n  stdout.contains (specs/tcp-echo.yaml:27)\n');
    expect(failure['#text']).to.include('    expected: HELLO WORLD\n    actual:\n      hello world\n      second line\n');
    expect(failure['#text']).to.include('  command: tcp-client 127.0.0.1 40123 (exit 0)\n');
    expect(errored).to.not.have.property('failure');
    expect(errored.error).to.deep.include({ '@type': 'ENOENT', '@message': 'udp-client: program not found' });
    expect((errored.error as Node)['#text']).to.include('  command: udp-client 127.0.0.1 5000 (not started: ENOENT)');
    expect(skipped.skipped).to.deep.equal({ '@message': 'needs --network' });
  });

  it('reports an interrupted experiment as skipped with message "interrupted"', async () => {
    await new JunitReporter({ outputDir }).onRunEnd(makeRun([{ ...passedExperiment, status: 'interrupted' }]));
    const document = parser.parse(await readFile(path.join(outputDir, 'junit.xml'), 'utf8')) as { testsuites: Node };
    const suite = (document.testsuites.testsuite as Node[])[0]!;
    expect(suite['@skipped']).to.equal('1');
    expect((suite.testcase as Node[])[0]!.skipped).to.deep.equal({ '@message': 'interrupted' });
  });

  it("puts points and score in the suite's <properties>, in all and per experiment id (<testcase> may have none)", () => {
    const properties = (c: Node) => ((c.properties as Node).property as Node[]).map((p) => [p['@name'], p['@value']]);
    expect(properties(suites[0]!)).to.deep.equal([
      ['points', '5'],
      ['score', '3'],
      ['tcp-echo-basic.points', '3'],
      ['tcp-echo-basic.score', '3'],
      ['tcp-echo-upper.points', '2'],
      ['tcp-echo-upper.score', '0'],
    ]);
    for (const testcase of cases) expect(testcase).to.not.have.property('properties');
  });

  it('writes spec paths under the working folder relative to it, and others as they are', () => {
    const elsewhere = { ...failedExperiment, id: 'elsewhere', location: { file: '/srv/other/specs/x.yaml', line: 4, column: 3 } };
    const inside = {
      ...failedExperiment,
      location: { file: '/home/ta/lab/specs/tcp-echo.yaml', line: 20, column: 3 },
      steps: failedExperiment.steps.map((step) => ({ ...step, expectations: step.expectations.map((e) => ({ ...e, location: { file: '/home/ta/lab/specs/tcp-echo.yaml', line: 27, column: 11 } })) })),
    };
    const rendered = renderJunit(makeRun([inside, elsewhere]), { hostname: 'ci', workingDir: '/home/ta/lab' });
    expect(rendered).to.include('<testsuite name="specs/tcp-echo.yaml" ').and.include('file="specs/tcp-echo.yaml"');
    expect(rendered).to.include('tcp-echo-upper (specs/tcp-echo.yaml:20)\n').and.include('stdout.contains (specs/tcp-echo.yaml:27)');
    expect(rendered).to.include('<testsuite name="/srv/other/specs/x.yaml" ');
    expect(rendered).to.not.include('/home/ta/lab');
  });

  it('keeps hostile program output readable: markup escaped, forbidden characters removed', () => {
    expect(cases[0]!['system-out']).to.equal(`--- step 2: run tcp-client 127.0.0.1 4000 (exit 0) ---\n${hostileOutputInXml}`);
    expect(xml).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(xml).to.not.include('<script>');
    expect(xml).to.not.include(']]>');
    expect(xml).to.not.match(/[\u0000\u0001\u001b\uFFFF]/);
    expect(xml).to.not.match(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(xml).to.include('🎉');
  });

  it('lists each step that wrote output under a header, stdout and stderr apart', () => {
    const failed = cases[1]!;
    expect(failed['system-out']).to.match(/^--- step 1: start tcp-server 4000 \(signal SIGTERM\) ---\nlistening\n--- step 2: run tcp-client 127\.0\.0\.1 40123 \(exit 0\) ---\nline 1\n/);
    expect(failed['system-err']).to.equal('--- step 2: run tcp-client 127.0.0.1 40123 (exit 0) ---\nwarning: <b>&</b> [31mboom\n');
    expect(cases[3]).to.not.have.any.keys('system-out', 'system-err');
  });

  it('replaces an existing file and leaves no temporary file behind', async () => {
    await writeFile(path.join(outputDir, 'junit.xml'), 'stale');
    await new JunitReporter({ outputDir }).onRunEnd(makeRun([failedExperiment]));
    expect(await readdir(outputDir)).to.deep.equal(['junit.xml']);
    expect(await readFile(path.join(outputDir, 'junit.xml'), 'utf8')).to.include('tests="1"');
  });
});

describe('failureMessage (the one-line <failure message>)', () => {
  const expectation = (name: string, expected: string, actual: string) => ({ name, ok: false, expected, actual, message: `${name} failed` });
  const withStep = (expectations: ReturnType<typeof expectation>[]) => ({
    ...failedExperiment,
    steps: [{ ...failedExperiment.steps[1]!, expectations }],
    failures: expectations,
  });

  it('says expected and actual, the step, and how many more checks failed', () => {
    const experiment = withStep([expectation('stdout.contains', '"HELLO"', '"hello\\n"'), expectation('exit', 'exit code 0', 'exit code 1')]);
    expect(failureMessage(experiment)).to.equal('stdout.contains: expected "HELLO", got "hello\\n" (step 2: run tcp-client 127.0.0.1 40123; 1 more failed check)');
  });

  it('cuts long values, keeping a quoted value quoted, and never passes the length limit', () => {
    const long = `"${'x'.repeat(5000)}"`;
    const message = failureMessage(withStep([expectation('stdout.equals', long, `"${'🎉'.repeat(3000)}"`)]));
    expect(message).to.match(/^stdout\.equals: expected "x{97}…", got "🎉{97}…" \(step 2: run tcp-client 127\.0\.0\.1 40123\)$/u);
    expect(Array.from(message).length).to.be.at.most(maxMessageLength);
    const longLabel = { ...withStep([expectation('exit', 'exit code 0', 'exit code 1')]) };
    longLabel.steps = [{ ...longLabel.steps[0]!, label: `run tcp-client ${'arg '.repeat(200)}` }];
    expect(failureMessage(longLabel)).to.match(/^exit: expected exit code 0, got exit code 1 \(step 2: run tcp-client (arg ){14}…\)$/);
  });

  it("uses a check's own message when it has no expected and actual, and names failures outside any step", () => {
    const timeout = { name: 'timeout', ok: false, expected: '', actual: '', message: 'the experiment ran past its 60 s deadline' };
    expect(failureMessage({ ...failedExperiment, steps: [], failures: [timeout] })).to.equal('timeout: the experiment ran past its 60 s deadline');
  });
});
