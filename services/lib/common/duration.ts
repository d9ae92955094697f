// Durations on the command line: "3s", "500ms", "1.5s", "2m", or a plain number meaning seconds
// (plain seconds because that is what `timeout 3 …` and Python's settimeout(3) mean).

const UNIT_MILLISECONDS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m)?$/;

export class DurationError extends Error {}

/** Parses a duration into milliseconds; throws DurationError naming what was expected. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) {
    throw new DurationError(`expected a duration such as 3s, 500ms, 2m or 5 (seconds), got "${text}"`);
  }
  const milliseconds = Math.round(Number(match[1]) * UNIT_MILLISECONDS[match[2] ?? 's']!);
  if (milliseconds <= 0) {
    throw new DurationError(`expected a duration above zero, got "${text}"`);
  }
  return milliseconds;
}

/** The inverse, for messages: whole seconds as "2s", anything else as "1500ms". */
export function formatDuration(milliseconds: number): string {
  return milliseconds % 1000 === 0 ? `${milliseconds / 1000}s` : `${milliseconds}ms`;
}
