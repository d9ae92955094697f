// Spec errors a person can act on: file:line:col, the source line, a caret under the culprit,
// what was expected and what was found, and a hint when a near miss is likely.

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  /** Characters to underline (at least 1). */
  length: number;
  /** Path in the document, e.g. `steps[1].ready.tcp` (empty for the whole file). */
  path: string;
  message: string;
  hint?: string;
}

export type PathSegment = string | number;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Renders one diagnostic the way compilers do, with the offending line and a caret. */
export function formatDiagnostic(diagnostic: Diagnostic, sourceText?: string): string {
  const where = `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`;
  const subject = diagnostic.path ? `${diagnostic.path}: ` : '';
  const lines = [`${where}: error: ${subject}${diagnostic.message}`];
  const sourceLine = sourceText?.split(/\r?\n/)[diagnostic.line - 1];
  if (sourceLine !== undefined) {
    const gutter = String(diagnostic.line).length;
    const visible = sourceLine.replace(/\t/g, ' ');
    const room = Math.max(1, visible.length - (diagnostic.column - 1));
    const underline = '^'.repeat(Math.max(1, Math.min(diagnostic.length, room)));
    lines.push(`  ${diagnostic.line} | ${visible}`);
    lines.push(`  ${' '.repeat(gutter)} | ${' '.repeat(diagnostic.column - 1)}${underline}`);
  }
  if (diagnostic.hint) lines.push(`  hint: ${diagnostic.hint}`);
  return lines.join('\n');
}

/** A short rendering of a found value for "got …". */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty mapping' : `a mapping with ${keys.map((key) => `"${key}"`).join(', ')}`;
  }
  return String(value);
}
