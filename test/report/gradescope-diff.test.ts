// The unified diff under a failed Gradescope test: the same hunks as GNU `diff -u` for changes whose
// alignment is unambiguous, and a cut after maxLines.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { unifiedDiff } from '../../harness/report/gradescope/unified-diff.js';
import { TempDir } from '../support/temp-dir.js';

const numbered = (count: number, replace: Record<number, string> = {}) => Array.from({ length: count }, (_, i) => replace[i + 1] ?? `line ${i + 1}`).join('\n') + '\n';

const cases: Record<string, [expected: string, actual: string]> = {
  'one line changed in the middle': [numbered(20), numbered(20, { 10: 'CHANGED' })],
  'two changes far apart (two hunks)': [numbered(30), numbered(30, { 3: 'X', 26: 'Y' })],
  'two changes close together (one hunk)': [numbered(20), numbered(20, { 6: 'X', 12: 'Y' })],
  'nothing expected': ['', 'a\nb\n'],
  'nothing printed': ['a\nb\n', ''],
  'a line added at the start': ['b\nc\nd\ne\n', 'a\nb\nc\nd\ne\n'],
  'lines missing at the end': [numbered(7), numbered(4)],
};

describe('gradescope unified diff', () => {
  let temp: TempDir;
  before(() => (temp = new TempDir()));
  after(() => temp.remove());

  for (const [name, [expected, actual]] of Object.entries(cases)) {
    it(`matches diff -u: ${name}`, function () {
      const [before, after] = [path.join(temp.path, 'expected'), path.join(temp.path, 'actual')];
      writeFileSync(before, expected);
      writeFileSync(after, actual);
      const gnu = spawnSync('diff', ['-u', '--label', 'expected', '--label', 'actual', before, after], { encoding: 'utf8' });
      if (gnu.error) this.skip(); // diffutils is essential on Debian; anywhere else, nothing to compare with
      expect(unifiedDiff(expected, actual, { context: 3, maxLines: 1000 }).join('\n') + '\n').to.equal(gnu.stdout);
    });
  }

  it('gives only the headers when the texts are equal', () => {
    expect(unifiedDiff('same\n', 'same', { context: 3, maxLines: 10 })).to.deep.equal(['--- expected', '+++ actual']);
  });

  it('cuts the hunks after maxLines and says how many lines are left', () => {
    expect(unifiedDiff(numbered(3), numbered(3, { 1: 'a', 2: 'b', 3: 'c' }), { context: 3, maxLines: 4 })).to.deep.equal([
      '--- expected',
      '+++ actual',
      '@@ -1,3 +1,3 @@',
      '-line 1',
      '-line 2',
      '-line 3',
      '+a',
      '… 2 more lines of diff cut',
    ]);
  });
});
