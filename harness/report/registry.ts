// The one place reporter names map to implementations; the CLI's `--reporter` choices come from here.
import { ConsoleReporter } from './console.js';
import { JsonReporter } from './json.js';
import { JunitReporter } from './junit.js';
import { HtmlReporter } from './html.js';
import { GradescopeReporter } from './gradescope.js';
import { GithubReporter } from './github.js';
import type { Reporter, ReporterFactory, ReporterOptions } from '../model/reporter.js';

export const reporterFactories: Record<string, ReporterFactory> = {
  console: (options) => new ConsoleReporter(options),
  junit: (options) => new JunitReporter(options),
  json: (options) => new JsonReporter(options),
  html: (options) => new HtmlReporter(options),
  gradescope: (options) => new GradescopeReporter(options),
  github: (options) => new GithubReporter(options),
};

/** What a run reports when no `--reporter` is given: the terminal plus both files graders read. */
export const defaultReporterNames: readonly string[] = ['console', 'junit', 'json', 'html'];

/** The reporter names, for the CLI's usage check and help. */
export const reporterNames: readonly string[] = Object.keys(reporterFactories);

/**
 * Creates reporters in the order named. A name given twice makes one reporter (two junit writers
 * would race on the same file). The CLI checks the names first (a usage error, with "did you mean");
 * an unknown name reaching here is a programming error.
 */
export function createReporters(names: readonly string[], options: ReporterOptions): Reporter[] {
  const uniqueNames = [...new Set(names)];
  // Object.hasOwn, not `in`: `toString` or `constructor` must not pass as reporter names.
  const unknown = uniqueNames.filter((name) => !Object.hasOwn(reporterFactories, name));
  if (unknown.length) throw new Error(`unknown reporter "${unknown[0]}"; valid reporters: ${reporterNames.join(', ')}`);
  return uniqueNames.map((name) => reporterFactories[name]!(options));
}
