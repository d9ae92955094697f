import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { JunitReporter } from '../../harness/report/junit.js';
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

  it('counts results on <testsuites> and per spec file', () => {
    const root = (parser.parse(xml) as { testsuites: Node }).testsuites;
    expect([root['@tests'], root['@failures'], root['@errors'], root['@skipped']]).to.deep.equal(['4', '1', '1', '1']);
    expect(suites.map((suite) => suite['@name'])).to.deep.equal(['specs/tcp-echo.yaml', 'specs/udp.yaml', 'specs/smtp.yaml']);
    const tcp = suites[0]!;
    expect([tcp['@tests'], tcp['@failures'], tcp['@errors'], tcp['@skipped'], tcp['@time']]).to.deep.equal(['2', '1', '0', '0', '2.468']);
  });

  it('names each testcase by id and title, with classname from the first tag or else the file stem', () => {
    expect(cases.map((c) => c['@name'])).to.deep.equal([
      'tcp-echo-basic: Echo one line',
      'tcp-echo-upper: Server upper-cases the line',
      'udp-ping: Ping reports loss',
      'smtp-send: Send one mail',
    ]);
    expect(cases.map((c) => c['@classname'])).to.deep.equal(['tcp', 'tcp-echo', 'udp', 'smtp']);
    expect([cases[0]!['@time'], cases[0]!['@file'], cases[0]!['@line']]).to.deep.equal(['0.123', 'specs/tcp-echo.yaml', '3']);
  });

  it('reports a failed expectation as <failure> and a harness fault as <error>', () => {
    const [passed, failed, errored, skipped] = cases as [Node, Node, Node, Node];
    expect(passed).to.not.have.any.keys('failure', 'error', 'skipped');
    expect(failed).to.have.property('failure').that.is.an('object');
    expect(failed).to.not.have.property('error');
    const failure = failed.failure as Node;
    expect(failure['@type']).to.equal('expectation');
    expect(failure['@message']).to.equal('stdout.contains: stdout does not contain "HELLO WORLD"');
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
    expect(document.testsuites['@skipped']).to.equal('1');
    expect(((document.testsuites.testsuite as Node[])[0]!.testcase as Node[])[0]!.skipped).to.deep.equal({ '@message': 'interrupted' });
  });

  it('puts points and score in <properties>', () => {
    const properties = (c: Node) => ((c.properties as Node).property as Node[]).map((p) => [p['@name'], p['@value']]);
    expect(properties(cases[0]!)).to.deep.equal([['points', '3'], ['score', '3']]);
    expect(properties(suites[0]!)).to.deep.equal([['points', '5'], ['score', '3']]);
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
