// Matching program output against `equals` / `contains` / `notContains` / `matches` / `empty`.
import type { ExpectationResult } from '../model/result.js';
import type { TextMatcher } from './expectation-schemas.js';

/** Output text as compared: CRLF folded to LF, so Windows-style line endings don't fail a check. */
export function normaliseOutput(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

const withoutFinalNewline = (text: string) => text.replace(/\n$/, '');

export function matchText(name: string, matcher: TextMatcher, rawActual: string): ExpectationResult[] {
  const actual = normaliseOutput(rawActual);
  const results: ExpectationResult[] = [];
  const shown = preview(actual);
  if (matcher.equals !== undefined) {
    const ok = withoutFinalNewline(actual) === withoutFinalNewline(normaliseOutput(matcher.equals));
    results.push(result(`${name}.equals`, ok, JSON.stringify(matcher.equals), shown, ok ? 'output equals the expected text' : 'output differs'));
  }
  for (const needle of asList(matcher.contains)) {
    const ok = actual.includes(needle);
    results.push(result(`${name}.contains`, ok, JSON.stringify(needle), shown, ok ? `found ${JSON.stringify(needle)}` : `${JSON.stringify(needle)} not found`));
  }
  for (const needle of asList(matcher.notContains)) {
    const ok = !actual.includes(needle);
    results.push(result(`${name}.notContains`, ok, `no ${JSON.stringify(needle)}`, shown, ok ? `no ${JSON.stringify(needle)}` : `${JSON.stringify(needle)} was printed`));
  }
  if (matcher.matches !== undefined) {
    const ok = new RegExp(matcher.matches, 'm').test(actual);
    results.push(result(`${name}.matches`, ok, `/${matcher.matches}/m`, shown, ok ? 'pattern matched' : 'pattern did not match'));
  }
  if (matcher.empty !== undefined) {
    const isEmpty = actual.trim() === '';
    const ok = isEmpty === matcher.empty;
    results.push(result(`${name}.empty`, ok, matcher.empty ? 'no output' : 'some output', shown, ok ? 'as expected' : matcher.empty ? 'something was printed' : 'nothing was printed'));
  }
  return results;
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function result(name: string, ok: boolean, expected: string, actual: string, message: string): ExpectationResult {
  return { name, ok, expected, actual, message };
}

/** Output shown in a failure: whole when short, head and tail otherwise. */
export function preview(text: string, limit = 2000): string {
  if (text === '') return '(no output)';
  if (text.length <= limit) return JSON.stringify(text);
  const half = Math.floor(limit / 2);
  return `${JSON.stringify(text.slice(0, half))} … (${text.length - limit} more characters) … ${JSON.stringify(text.slice(-half))}`;
}
