// The corpus of broken specs in test/fixtures/broken-specs/: each file must give a positioned error a
// person can act on, never an exception. Line 1 of each file states its first expected error:
//   # expect: LINE:COL substring of the message
// and may name files to load before it (`# with: companions/x.yaml`, for duplicate ids across files)
// and further text that must show somewhere in its rendered errors (`# also: did you mean "title"?`).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { loadLab } from '../../harness/lab/load-lab.js';
import { formatDiagnostic, type Diagnostic } from '../../harness/spec/diagnostics.js';
import { loadSpecFiles } from '../../harness/spec/load-spec.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

const corpusDir = path.join(repoRoot, 'test', 'fixtures', 'broken-specs');
const corpusFiles = readdirSync(corpusDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

/** Files that cannot carry a header comment (it would make them something else). */
const HEADERLESS: Record<string, string> = { 'empty-file.yaml': '# expect: 1:1 or a list of experiments, got nothing' };

interface CaseHeader {
  line: number;
  column: number;
  message: string;
  companions: string[];
  also: string[];
}

function readHeader(name: string, text: string): CaseHeader {
  const firstLine = HEADERLESS[name] ?? text.split('\n')[0];
  const match = /^# expect: (\d+):(\d+) (.+)$/.exec(firstLine);
  if (!match) throw new Error(`${name}: line 1 must be "# expect: LINE:COL message", got ${JSON.stringify(firstLine)}`);
  return {
    line: Number(match[1]),
    column: Number(match[2]),
    message: match[3],
    companions: [...text.matchAll(/^# with: (.+)$/gm)].map((found) => path.join(corpusDir, found[1])),
    also: [...text.matchAll(/^# also: (.+)$/gm)].map((found) => found[1]),
  };
}

describe('broken specs corpus', () => {
  let roles: Set<string>;

  before(() => {
    roles = new Set(Object.keys(loadLab(path.join(repoRoot, 'specs', 'lab.yaml')).roles));
  });

  it('holds the cases, each with an expectation header', () => {
    expect(corpusFiles.length).to.be.at.least(30);
    for (const name of corpusFiles) readHeader(name, readFileSync(path.join(corpusDir, name), 'utf8'));
  });

  for (const name of corpusFiles) {
    it(`${name}: a positioned error, no exception`, () => {
      const file = path.join(corpusDir, name);
      // The bad byte of the file that is not UTF-8 is below its header, so utf8 reads every header.
      const header = readHeader(name, readFileSync(file, 'utf8'));
      let loaded: ReturnType<typeof loadSpecFiles> | undefined;
      expect(() => (loaded = loadSpecFiles([...header.companions, file], { roles }))).not.to.throw();
      const text = loaded!.sources.get(file)!;
      const diagnostics = loaded!.diagnostics.filter((diagnostic) => diagnostic.file === file);
      expect(diagnostics, 'diagnostics').to.not.be.empty;
      for (const companion of header.companions) {
        expect(loaded!.diagnostics.filter((diagnostic) => diagnostic.file === companion), `errors in ${companion}`).to.deep.equal([]);
      }

      const [first] = diagnostics;
      expect(`${first.line}:${first.column}`, `position of: ${first.message}`).to.equal(`${header.line}:${header.column}`);
      expect(first.message).to.include(header.message);

      const lines = text.split(/\r?\n/);
      const rendered = diagnostics.map((diagnostic) => formatDiagnostic(diagnostic, text));
      diagnostics.forEach((diagnostic: Diagnostic, index) => {
        expect(diagnostic.line, 'line').to.be.within(1, lines.length);
        expect(diagnostic.column, 'column').to.be.within(1, lines[diagnostic.line - 1].length + 1);
        expect(diagnostic.message.trim(), 'message').to.not.equal('');
        expect(rendered[index]).to.include(`${file}:${diagnostic.line}:${diagnostic.column}: error: `);
        expect(rendered[index], 'a caret line under the source line').to.match(/\n {2}\d+ \| .*\n {3,} \| *\^+/);
      });
      for (const also of header.also) expect(rendered.join('\n\n')).to.include(also);
    });
  }

  it('socklab validate on the whole folder: exit 2, every file named, no stack trace', async () => {
    const relativeDir = path.relative(repoRoot, corpusDir);
    const run = await runCli(['validate', relativeDir], { cwd: repoRoot, timeoutMs: 30_000 });
    expect(run.exitCode, run.stderr).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.not.match(/^ {4}at /m);
    expect(run.stderr).to.not.include('internal error');
    for (const name of corpusFiles) expect(run.stderr).to.include(`${path.join(relativeDir, name)}:`);
    expect(run.stderr).to.match(new RegExp(`\\d+ errors in ${corpusFiles.length} files\\n?$`));
  });

  for (const command of ['run', 'validate']) {
    it(`socklab ${command} with a spec path that does not exist: a clear message, exit 2`, async () => {
      const options = command === 'run' ? ['--reporter', 'json', '--out', path.join(repoRoot, 'reports', 'broken-specs-missing')] : [];
      const run = await runCli([command, 'no/such/file.yaml', ...options], { cwd: repoRoot, timeoutMs: 30_000 });
      expect(run.exitCode, run.stderr).to.equal(2);
      // `run` also takes experiment ids, so it names the argument as either.
      expect(run.stderr).to.match(/^socklab: no (such file or folder|experiment or path)\b.*no\/such\/file\.yaml/);
      expect(run.stderr).to.not.match(/^ {4}at /m);
      expect(run.stderr).to.not.include('internal error');
    });
  }
});
