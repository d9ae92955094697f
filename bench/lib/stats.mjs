// Summaries of repeated measurements. Medians and percentiles, never means: on a noisy machine one
// slow outlier must not move a figure.

/** The p-th percentile (0–100) with linear interpolation between the two nearest samples. */
export function percentile(values, p) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const position = ((sorted.length - 1) * p) / 100;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

export const median = (values) => percentile(values, 50);
export const p95 = (values) => percentile(values, 95);
export const p99 = (values) => percentile(values, 99);

export const ratio = (numerator, denominator) => (denominator > 0 ? numerator / denominator : NaN);

/**
 * The median of per-pair ratios, numerators[i] / denominators[i], where each pair was measured back
 * to back: a change in the machine's load between pairs cancels out instead of landing on one side.
 */
export const pairedRatio = (numerators, denominators) => median(numerators.map((value, index) => ratio(value, denominators[index])));

export function round(value, digits = 2) {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
