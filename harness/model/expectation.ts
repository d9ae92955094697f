// Expectations: what a spec asked for and what happened, as one verdict each. `expected` and `actual`
// are short renderings for people; `values` carries the same comparison as data, for grading and tools
// (they never parse the renderings).

/** Where something came from in a spec file (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A count that must lie in a range: requests that reached an origin, messages a sink received. */
export interface CountValues {
  kind: 'count';
  /** What was counted, e.g. `/index.html` (requests for it), `messages`, `forwarded`. */
  subject: string;
  expected: { min?: number; max?: number };
  actual: number;
}

/** How a program ended, against the exit a spec expected. */
export interface ExitValues {
  kind: 'exit';
  expected: number | number[] | 'nonzero';
  actual: number | null;
}

/** A network error code (ECONNREFUSED, ETIMEDOUT …) against the one expected, or none. */
export interface ErrorCodeValues {
  kind: 'error-code';
  expected: string | null;
  actual: string | null;
}

/** A yes/no fact: the program was silent, still running, closed the connection, … */
export interface FlagValues {
  kind: 'flag';
  expected: boolean;
  actual: boolean;
}

/** A number compared exactly (or against a list of allowed ones): an HTTP status code, a size in bytes. */
export interface NumberValues {
  kind: 'number';
  expected: number | number[];
  actual: number | null;
}

/** A duration bound in milliseconds (`within`, readiness, the experiment's timeout). */
export interface DurationValues {
  kind: 'duration';
  limitMs: number;
  actualMs: number | null;
}

export type ExpectationValues = CountValues | ExitValues | ErrorCodeValues | FlagValues | NumberValues | DurationValues;

/** The verdict of one expectation. */
export interface ExpectationResult {
  /** Dotted path in the spec, e.g. `stdout.contains` or `exit`. */
  name: string;
  ok: boolean;
  /** Short human-readable rendering of what was expected. */
  expected: string;
  /** Short human-readable rendering of what happened. */
  actual: string;
  message: string;
  location?: SourceLocation;
  /** The comparison as data, where it is more than text (text matchers have only the renderings). */
  values?: ExpectationValues;
}
