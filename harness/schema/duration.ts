// Durations in specs are written `500ms`, `3s`, `1.5s` or `2m`; a bare number means milliseconds.

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/;
export const DURATION_PATTERN = '^\\d+(\\.\\d+)?\\s*(ms|s|m)$';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Milliseconds for a spec duration, or null when the text is not a duration. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const match = DURATION.exec(value.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * UNIT_MS[match[2]]);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 2))}s`;
  return `${Number((ms / 60_000).toFixed(2))}m`;
}
