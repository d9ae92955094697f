// Making one ExpectationResult: the message reads `name: actual` when it held and
// `name: expected …, got …` when it did not, the same in every check of every step kind.
import type { CountValues, ExpectationResult, ExpectationValues } from '../model/result.js';

export function verdict(name: string, ok: boolean, expected: string, actual: string, values?: ExpectationValues): ExpectationResult {
  return { name, ok, expected, actual, message: ok ? `${name}: ${actual}` : `${name}: expected ${expected}, got ${actual}`, ...(values ? { values } : {}) };
}

/** A count as a spec writes it: exactly N, or `{ min, max }`. */
export type CountWanted = number | { min?: number; max?: number };

export function countRange(wanted: CountWanted): CountValues['expected'] {
  return typeof wanted === 'number' ? { min: wanted, max: wanted } : wanted;
}

export function countHolds(actual: number, wanted: CountWanted): boolean {
  const { min, max } = countRange(wanted);
  return (min === undefined || actual >= min) && (max === undefined || actual <= max);
}

/** `3`, `at least 1`, `at most 2`, `at least 1 and at most 2`. */
export function describeCount(wanted: CountWanted): string {
  const { min, max } = countRange(wanted);
  return min === max ? `${min}` : [min !== undefined ? `at least ${min}` : '', max !== undefined ? `at most ${max}` : ''].filter(Boolean).join(' and ');
}
