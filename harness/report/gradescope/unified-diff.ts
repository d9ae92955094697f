// Expected against actual as `diff -u` prints it: `--- expected`, `+++ actual`, then hunks headed
// `@@ -start,count +start,count @@` with a few unchanged lines around each change, so a long output
// that differs in one line shows that line, not the whole output. Built on the HTML report's line diff.
import { diffLines, type DiffLine } from '../html/line-diff.js';

export interface UnifiedDiffOptions {
  /** Unchanged lines kept before and after each change (diff -u's default is 3). */
  context: number;
  /** Lines of hunks at most; the rest is cut with a note. */
  maxLines: number;
}

interface NumberedLine extends DiffLine {
  /** 1-based line numbers of this line in expected and in actual; on the side it is missing from, of the line before it. */
  before: number;
  after: number;
}

/** The diff's lines without a final newline; only the two headers when the texts are equal. */
export function unifiedDiff(expected: string, actual: string, options: UnifiedDiffOptions): string[] {
  const lines = numbered(diffLines(expected, actual));
  const hunks = hunkRanges(lines, options.context).map(([from, to]) => lines.slice(from, to + 1));
  const total = hunks.reduce((sum, hunk) => sum + hunk.length, 0);
  const output = ['--- expected', '+++ actual'];
  let shown = 0;
  for (const hunk of hunks) {
    if (shown >= options.maxLines) break;
    output.push(hunkHeader(hunk));
    for (const line of hunk.slice(0, options.maxLines - shown)) output.push(`${prefix[line.kind]}${line.text}`);
    shown += Math.min(hunk.length, options.maxLines - shown);
  }
  if (shown < total) output.push(`… ${total - shown} more lines of diff cut`);
  return output;
}

const prefix = { same: ' ', removed: '-', added: '+' } as const;

function numbered(lines: DiffLine[]): NumberedLine[] {
  let before = 0;
  let after = 0;
  return lines.map((line) => {
    if (line.kind !== 'added') before += 1;
    if (line.kind !== 'removed') after += 1;
    return { ...line, before, after };
  });
}

/** Index ranges (inclusive) of the hunks: each change with `context` lines around it, overlapping ones merged. */
function hunkRanges(lines: NumberedLine[], context: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  lines.forEach((line, index) => {
    if (line.kind === 'same') return;
    const from = Math.max(0, index - context);
    const to = Math.min(lines.length - 1, index + context);
    const last = ranges[ranges.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else ranges.push([from, to]);
  });
  return ranges;
}

/** `@@ -3,4 +3,5 @@`: where each side's lines start and how many; diff -u leaves out a count of 1, and gives an empty side as the line before it, `,0`. */
function hunkHeader(hunk: NumberedLine[]): string {
  const range = (onSide: (line: NumberedLine) => boolean, position: (line: NumberedLine) => number) => {
    const lines = hunk.filter(onSide);
    if (lines.length === 0) return `${position(hunk[0]!)},0`;
    return lines.length === 1 ? `${position(lines[0]!)}` : `${position(lines[0]!)},${lines.length}`;
  };
  return `@@ -${range((line) => line.kind !== 'added', (line) => line.before)} +${range((line) => line.kind !== 'removed', (line) => line.after)} @@`;
}
