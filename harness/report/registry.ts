// The one place reporter names map to implementations; the CLI's `--reporter` choices come from here.
import { ConsoleReporter } from './console.js';
import { JsonReporter } from './json.js';
import { JunitReporter } from './junit.js';
import { HtmlReporter } from './html.js';
import type { Reporter, ReporterFactory, ReporterOptions } from '../model/reporter.js';

export const reporterFactories: Record<string, ReporterFactory> = {
  console: (options) => new ConsoleReporter(options),
  junit: (options) => new JunitReporter(options),
  json: (options) => new JsonReporter(options),
  html: (options) => new HtmlReporter(options),
};

/** What a run reports when no `--reporter` is given: the terminal plus both files graders read. */
export const defaultReporterNames: readonly string[] = ['console', 'junit', 'json', 'html'];

/**
 * Creates reporters in the order named. A name given twice makes one reporter (two junit writers
 * would race on the same file). Throws before any reporter is made if a name is unknown, so a typo
 * fails the run up front instead of after minutes of experiments.
 */
export function createReporters(names: readonly string[], options: ReporterOptions): Reporter[] {
  const uniqueNames = [...new Set(names)];
  for (const name of uniqueNames) {
    // Object.hasOwn, not `in`: `toString` or `constructor` must not pass as reporter names.
    if (Object.hasOwn(reporterFactories, name)) continue;
    const valid = Object.keys(reporterFactories);
    const suggestion = valid.find((candidate) => withinOneEdit(name, candidate));
    const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
    throw new Error(`unknown reporter "${name}"${hint}; valid reporters: ${valid.join(', ')}`);
  }
  return uniqueNames.map((name) => reporterFactories[name]!(options));
}

/** True when one insertion, deletion, substitution or swap of neighbours (`junti`) turns `a` into `b`. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  // After the first difference the rest must match once the differing character is skipped or swapped.
  const swapped = a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  return swapped || a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}
