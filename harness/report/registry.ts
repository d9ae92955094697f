// The one place reporter names map to implementations; the CLI's `--reporter` choices come from here.
// Each reporter's module is loaded only when a run asks for it (the HTML reporter's Markdown renderer,
// the Gradescope and GitHub writers): a command starts without compiling what it does not use.
import type { Reporter, ReporterFactory, ReporterOptions } from '../model/reporter.js';

/** A reporter whose module is imported when it is first asked for. */
const lazy =
  <M>(load: () => Promise<M>, make: (module: M) => ReporterFactory) =>
  async (): Promise<ReporterFactory> =>
    make(await load());

export const reporterFactories: Record<string, () => Promise<ReporterFactory>> = {
  console: lazy(() => import('./console.js'), ({ ConsoleReporter }) => (options) => new ConsoleReporter(options)),
  junit: lazy(() => import('./junit.js'), ({ JunitReporter }) => (options) => new JunitReporter(options)),
  json: lazy(() => import('./json.js'), ({ JsonReporter }) => (options) => new JsonReporter(options)),
  html: lazy(() => import('./html.js'), ({ HtmlReporter }) => (options) => new HtmlReporter(options)),
  gradescope: lazy(() => import('./gradescope.js'), ({ GradescopeReporter }) => (options) => new GradescopeReporter(options)),
  github: lazy(() => import('./github.js'), ({ GithubReporter }) => (options) => new GithubReporter(options)),
};

/** What a run reports when no `--reporter` is given: the terminal plus both files graders read. */
export const defaultReporterNames: readonly string[] = ['console', 'junit', 'json', 'html'];

/** What `grade` writes per student when no `--reporter` is given (no console with --class). */
export const defaultGradeReporters: readonly string[] = ['console', 'json', 'junit', 'html', 'gradescope'];

/** The reporter names, for the CLI's usage check and help. */
export const reporterNames: readonly string[] = Object.keys(reporterFactories);

/**
 * Creates reporters in the order named. A name given twice makes one reporter (two junit writers
 * would race on the same file). The CLI checks the names first (a usage error, with "did you mean");
 * an unknown name reaching here is a programming error.
 */
export async function createReporters(names: readonly string[], options: ReporterOptions): Promise<Reporter[]> {
  const uniqueNames = [...new Set(names)];
  // Object.hasOwn, not `in`: `toString` or `constructor` must not pass as reporter names.
  const unknown = uniqueNames.filter((name) => !Object.hasOwn(reporterFactories, name));
  if (unknown.length) throw new Error(`unknown reporter "${unknown[0]}"; valid reporters: ${reporterNames.join(', ')}`);
  const factories = await Promise.all(uniqueNames.map((name) => reporterFactories[name]!()));
  return factories.map((factory) => factory(options));
}
