// A line diff of an expectation's expected and actual text, so a reader sees at a glance which lines
// differ instead of comparing two blocks by eye. Longest common subsequence over lines: quadratic, which
// is fine for expectation values; past a size limit it falls back to "all removed, all added".

export interface DiffLine {
  kind: 'same' | 'removed' | 'added';
  text: string;
}

/** Table cells the LCS may use (about 8 MB of 16-bit lengths); beyond it the diff is not worth the time. */
const maxCells = 4_000_000;

/** `removed` lines are only in `expected`, `added` lines only in `actual`. One final newline is ignored. */
export function diffLines(expected: string, actual: string): DiffLine[] {
  const before = splitLines(expected);
  const after = splitLines(actual);
  if (before.length * after.length > maxCells || Math.max(before.length, after.length) >= 0xffff) {
    return [...before.map(removed), ...after.map(added)];
  }
  // lengths[i][j] = LCS length of before[i..] and after[j..], stored row by row.
  const width = after.length + 1;
  const lengths = new Uint16Array((before.length + 1) * width);
  for (let i = before.length - 1; i >= 0; i -= 1) {
    for (let j = after.length - 1; j >= 0; j -= 1) {
      lengths[i * width + j] =
        before[i] === after[j]
          ? lengths[(i + 1) * width + j + 1]! + 1
          : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length && j < after.length) {
    if (before[i] === after[j]) {
      lines.push({ kind: 'same', text: before[i]! });
      i += 1;
      j += 1;
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      lines.push(removed(before[i]!));
      i += 1;
    } else {
      lines.push(added(after[j]!));
      j += 1;
    }
  }
  return [...lines, ...before.slice(i).map(removed), ...after.slice(j).map(added)];
}

function splitLines(text: string): string[] {
  return text === '' ? [] : text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
}

function removed(text: string): DiffLine {
  return { kind: 'removed', text };
}

function added(text: string): DiffLine {
  return { kind: 'added', text };
}
