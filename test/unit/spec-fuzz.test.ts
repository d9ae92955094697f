// Property-based tests of the spec loader: whatever text arrives (a damaged copy of a real spec,
// YAML-ish noise, any JSON value written as YAML, any bytes), loading never throws, and every error
// points inside the file. Seeds are fixed so a failure reproduces; fast-check prints the input.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { parseDocument, stringify, visit } from 'yaml';
import { loadLab } from '../../harness/lab/load-lab.js';
import { formatDiagnostic } from '../../harness/spec/diagnostics.js';
import { findSpecFiles } from '../../harness/spec/find-spec-files.js';
import { loadSource } from '../../harness/spec/load-spec.js';
import { readSpecText } from '../../harness/spec/read-spec-text.js';
import { YamlSource } from '../../harness/spec/yaml-source.js';
import { repoRoot } from '../support/paths.js';

// A fixed seed so a failure reproduces. To explore further: SOCKLAB_FUZZ_SEED=<n> SOCKLAB_FUZZ_SCALE=20.
const SEED = Number(process.env.SOCKLAB_FUZZ_SEED ?? 52_024);
const SCALE = Number(process.env.SOCKLAB_FUZZ_SCALE ?? 1);
const runs = (count: number) => Math.round(count * SCALE);
const FILE = 'fuzz.yaml';

let roles: Set<string>;

/** Loads `text` and checks the loader's contract; returns how many diagnostics it gave. */
function checkLoad(text: string): number {
  const result = loadSource(new YamlSource(FILE, text), { roles });
  const lineCount = text.split('\n').length;
  for (const diagnostic of result.diagnostics) {
    const where = `${diagnostic.line}:${diagnostic.column} (${diagnostic.message})`;
    expect(Number.isInteger(diagnostic.line) && diagnostic.line >= 1 && diagnostic.line <= lineCount + 1, `line of ${where}`).to.equal(true);
    expect(Number.isInteger(diagnostic.column) && diagnostic.column >= 1, `column of ${where}`).to.equal(true);
    expect(diagnostic.message.trim(), 'message').to.not.equal('');
    expect(formatDiagnostic(diagnostic, text)).to.include(`${FILE}:${diagnostic.line}:${diagnostic.column}: error: `);
  }
  if (result.diagnostics.length === 0) {
    expect(result.experiments, 'experiments when nothing is wrong').to.not.be.empty;
    for (const { experiment } of result.experiments) {
      expect(experiment.id).to.be.a('string').and.not.equal('');
      expect(experiment.steps).to.not.be.empty;
      for (const step of experiment.steps) expect(step.kind).to.be.a('string');
    }
  }
  return result.diagnostics.length;
}

// ---- (a) damaged copies of the real specs ----

type Mutation =
  | { kind: 'delete-line' | 'duplicate-line'; line: number }
  | { kind: 'swap-lines'; line: number; other: number }
  | { kind: 'insert'; offset: number; text: string }
  | { kind: 'indent'; line: number; by: number }
  | { kind: 'replace-scalar'; scalar: number; value: string }
  | { kind: 'anchor-and-alias'; anchor: number; alias: number }
  | { kind: 'truncate'; offset: number };

const yamlish = fc.constantFrom(
  ':', ': ', '- ', '  ', '\t', '\n', '\r\n', '\r', '[', ']', '{', '}', ',', '"', "'", '&a ', '*a', '!!str ', '!!binary ', '#', '|',
  '>', '? ', '---\n', '...\n', '%YAML 1.2\n', '<<: *a', '{{', '}}', '{{ports.x}}', '{{nope}}', '(', '\\', '\u0000', '\ufeff', 'é', '😀',
  '\ud800', 'id', 'steps', 'run', 'start', 'stop', 'wait', 'expect', 'matches', 'tcp-server', '0', '-1', 'null', '~', 'true',
);
const noise = fc.oneof(fc.string({ unit: yamlish, maxLength: 8 }), fc.string({ maxLength: 8 }));
const scalarValue = fc.oneof(
  fc.constantFrom('', '~', 'null', 'true', '[]', '{}', '-1', '0', '1e309', '.nan', '0x1F', '"(unclosed"', '"{{ports.Web}}"', '"{{nope}}"', '|', '"\\x"'),
  fc.constantFrom('*a', '*nope', '&a [*a]', '&a { k: *a }', '&a x', '[&b [x, x], *b, *b]'),
  fc.integer().map(String),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value) ?? 'null'),
  noise,
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('delete-line' as const, 'duplicate-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), offset: fc.nat(), text: noise }),
  fc.record({ kind: fc.constant('indent' as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ kind: fc.constant('replace-scalar' as const), scalar: fc.nat(), value: scalarValue }),
  fc.record({ kind: fc.constant('truncate' as const), offset: fc.nat() }),
  fc.record({ kind: fc.constant('anchor-and-alias' as const), anchor: fc.nat(), alias: fc.nat() }),
);

/** Source ranges of every scalar, from the parser, so replacements land exactly on a value or key. */
function scalarRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  visit(parseDocument(text), { Scalar: (_key, node) => void (node.range && ranges.push([node.range[0], node.range[1]])) });
  return ranges;
}

function applyMutation(text: string, change: Mutation): string {
  const lines = text.split('\n');
  const at = (index: number) => index % Math.max(1, lines.length);
  switch (change.kind) {
    case 'delete-line':
      lines.splice(at(change.line), 1);
      return lines.join('\n');
    case 'duplicate-line':
      lines.splice(at(change.line), 0, lines[at(change.line)]);
      return lines.join('\n');
    case 'swap-lines': {
      const [a, b] = [at(change.line), at(change.other)];
      [lines[a], lines[b]] = [lines[b], lines[a]];
      return lines.join('\n');
    }
    case 'insert': {
      const offset = change.offset % (text.length + 1);
      return text.slice(0, offset) + change.text + text.slice(offset);
    }
    case 'indent': {
      const index = at(change.line);
      lines[index] = change.by >= 0 ? ' '.repeat(change.by) + lines[index] : lines[index].replace(new RegExp(`^ {0,${-change.by}}`), '');
      return lines.join('\n');
    }
    case 'replace-scalar': {
      const ranges = scalarRanges(text);
      if (ranges.length === 0) return text;
      const [start, end] = ranges[change.scalar % ranges.length];
      return text.slice(0, start) + change.value + text.slice(end);
    }
    case 'anchor-and-alias': {
      // One scalar gets an anchor, another becomes an alias to it: before it, after it, or itself.
      const ranges = scalarRanges(text);
      if (ranges.length === 0) return text;
      const anchored = ranges[change.anchor % ranges.length];
      const aliased = ranges[change.alias % ranges.length];
      if (anchored === aliased) return `${text.slice(0, anchored[0])}&z *z${text.slice(anchored[1])}`;
      const edits = [
        { at: anchored[0], end: anchored[0], insert: '&z ' },
        { at: aliased[0], end: aliased[1], insert: '*z' },
      ].sort((a, b) => b.at - a.at);
      return edits.reduce((result, edit) => result.slice(0, edit.at) + edit.insert + result.slice(edit.end), text);
    }
    case 'truncate':
      return text.slice(0, change.offset % (text.length + 1));
  }
}

// ---- (c) experiment-shaped values, so the fuzzing reaches the step checks ----

const anyValue = fc.jsonValue({ maxDepth: 3 });
const stepKey = fc.constantFrom('run', 'start', 'stop', 'wait', 'sleep', 'http', 'raw', 'args', 'stdin', 'env', 'name', 'timeout', 'expect', 'ready', 'title', 'send');
const stepValue = fc.oneof(
  fc.constantFrom('tcp-server', 'tcp-client', 'udp-server', 'nobody', '1ms', '{{ports.a}}', '{{ports.A}}', '{{x}}', '{{ports.a', '(unclosed'),
  fc.record({ stdout: fc.record({ matches: fc.string({ unit: fc.constantFrom('(', ')', '[', ']', '*', '+', '?', '\\', 'a', '{', '}', '|') }) }) }),
  fc.record({ tcp: fc.oneof(fc.integer(), fc.constant('{{ports.a}}')), stdout: fc.string({ maxLength: 4 }) }, { requiredKeys: [] }),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }),
  anyValue,
);
const step = fc.oneof(fc.dictionary(stepKey, stepValue, { maxKeys: 4 }), anyValue);
// Steps that are valid, so that whole experiments load and the no-error branch is exercised too.
const validStep = fc.oneof(
  fc.record({ sleep: fc.constantFrom('1ms', '2s', 5) }),
  fc.record({ start: fc.constantFrom('tcp-server', 'udp-server'), args: fc.constant(['{{ports.server}}']), ready: fc.constant({ tcp: '{{ports.server}}' }) }),
  fc.record(
    {
      run: fc.constantFrom('tcp-client', 'udp-client'),
      stdin: fc.string({ maxLength: 10 }),
      expect: fc.record({ stdout: fc.record({ matches: fc.constantFrom('^A', 'x|y', '[0-9]+', '\\d{2}') }) }),
    },
    { requiredKeys: ['run'] },
  ),
);
const validExperiment = fc.record(
  {
    id: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,8}$/),
    title: fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
    steps: fc.array(validStep, { minLength: 1, maxLength: 3 }),
    tags: fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,5}$/), { maxLength: 2 }),
  },
  { requiredKeys: ['id', 'title', 'steps'] },
);
const experimentShaped = fc.record(
  {
    id: fc.oneof(fc.constantFrom('a', 'b-1', 'Bad Id', ''), anyValue),
    title: fc.oneof(fc.constant('A title'), anyValue),
    points: fc.oneof(fc.integer({ min: -2, max: 5 }), anyValue),
    timeout: fc.oneof(fc.constantFrom('1s', 'soon', '10'), anyValue),
    steps: fc.oneof(fc.array(step, { minLength: 1, maxLength: 4 }), anyValue),
  },
  { requiredKeys: [] },
);

describe('spec loader under fuzzing', function () {
  this.timeout(30_000 * Math.max(1, SCALE));
  const specTexts: string[] = findSpecFiles([path.join(repoRoot, 'specs')]).map((file) => readFileSync(file, 'utf8'));

  before(() => {
    roles = new Set(Object.keys(loadLab(path.join(repoRoot, 'specs', 'lab.yaml')).roles));
  });

  it('loads every real spec without errors (the starting point of the mutations)', () => {
    expect(specTexts.length).to.be.at.least(5);
    for (const text of specTexts) expect(checkLoad(text)).to.equal(0);
  });

  it('never throws on damaged copies of the real specs, and points inside the file', () => {
    let diagnosed = 0;
    fc.assert(
      fc.property(fc.constantFrom(...specTexts), fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, changes) => {
        if (checkLoad(changes.reduce(applyMutation, text)) > 0) diagnosed += 1;
      }),
      { seed: SEED, numRuns: runs(150) },
    );
    // Most damage must be noticed: the property would hold vacuously if nothing ever failed to load.
    expect(diagnosed).to.be.greaterThan(75);
  });

  it('never throws on YAML-ish noise or arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: yamlish, maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })), (text) => {
        checkLoad(text);
      }),
      { seed: SEED, numRuns: runs(80) },
    );
  });

  it('never throws on any JSON value, or an experiment-shaped one, written as YAML', () => {
    let loadedClean = 0;
    fc.assert(
      fc.property(fc.oneof(anyValue, experimentShaped, fc.array(experimentShaped, { maxLength: 3 }), validExperiment), fc.boolean(), (value, flow) => {
        const text = stringify(value, flow ? { collectionStyle: 'flow' } : undefined);
        if (checkLoad(text) === 0) loadedClean += 1;
      }),
      { seed: SEED, numRuns: runs(120) },
    );
    expect(loadedClean, 'some generated experiments are valid').to.be.greaterThan(0);
  });

  it('reads any bytes: an error at the first byte that is not UTF-8, never an exception', () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'socklab-fuzz-'));
    const strict = new TextDecoder('utf-8', { fatal: true });
    try {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
          const file = path.join(folder, 'bytes.yaml');
          writeFileSync(file, bytes);
          const { text, diagnostic } = readSpecText(file);
          let valid = true;
          try {
            strict.decode(bytes);
          } catch {
            valid = false;
          }
          expect(diagnostic === undefined).to.equal(valid);
          if (diagnostic) {
            const lines = text.split('\n');
            expect(diagnostic.line).to.be.within(1, lines.length);
            expect(diagnostic.column).to.be.within(1, lines[diagnostic.line - 1].length + 1);
            expect(diagnostic.message).to.match(/^invalid UTF-8: byte 0x[0-9A-F]{2} /);
          }
        }),
        { seed: SEED, numRuns: runs(50) },
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
