// Compiles every regular expression in a step when the spec is loaded (text matchers' `matches`,
// `ready.stdout`), so a pattern that cannot compile is a positioned spec error instead of a crash in
// the middle of a run.
import { findTemplateReferences } from './template.js';
import { describeValue, type Diagnostic, type PathSegment } from './diagnostics.js';
import type { YamlSource } from './yaml-source.js';

// Mappings keyed by names the spec author chooses: there a key `matches` is a header or a variable,
// not a text matcher's pattern.
const NAMED_MAPS = new Set(['headers', 'env']);

export function checkPatterns(step: Record<string, unknown>, source: YamlSource, stepPath: PathSegment[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const ready = step.ready as Record<string, unknown> | undefined;
  if (ready && typeof ready === 'object') check(ready.stdout, [...stepPath, 'ready', 'stdout']);
  visit(step, stepPath);
  return diagnostics;

  function visit(item: unknown, itemPath: PathSegment[]): void {
    if (Array.isArray(item)) {
      item.forEach((child, index) => visit(child, [...itemPath, index]));
    } else if (item && typeof item === 'object') {
      const parentKey = itemPath[itemPath.length - 1];
      for (const [key, child] of Object.entries(item)) {
        if (key === 'matches' && !(typeof parentKey === 'string' && NAMED_MAPS.has(parentKey))) check(child, [...itemPath, key]);
        else visit(child, [...itemPath, key]);
      }
    }
  }

  function check(pattern: unknown, patternPath: PathSegment[]): void {
    if (typeof pattern !== 'string') return; // a wrong type is the schema's to report
    const problem = regexProblem(pattern);
    if (problem) diagnostics.push(source.diagnosticAt(patternPath, `invalid regular expression: ${problem} in ${describeValue(pattern)}`));
  }
}

/** Why `pattern` does not compile as a JavaScript regex, or null when it does. */
export function regexProblem(pattern: string): string | null {
  // Templates are substituted before the pattern is used; a number stands in for their value.
  let rendered = pattern;
  for (const reference of findTemplateReferences(pattern).reverse()) {
    const end = pattern.indexOf('}}', reference.offset) + 2;
    rendered = `${rendered.slice(0, reference.offset)}0${rendered.slice(end)}`;
  }
  try {
    new RegExp(rendered, 'm');
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 says "Invalid regular expression: /(x/m: Unterminated group"; keep only the reason.
    const reason = /^Invalid regular expression: \/.*\/[a-z]*: (.+)$/s.exec(message)?.[1] ?? message;
    return reason.charAt(0).toLowerCase() + reason.slice(1);
  }
}
