// The HTML reporter: index.html, one self-contained page for students and graders. It works offline
// and alone (no fonts, scripts or images from elsewhere), and treats every string in the results as
// untrusted, since most of them are whatever the programs under test printed. The page is built in
// ./html/: safe-html (escaping), page, experiment-section, step-section, capture-section, ladder-svg.
import path from 'node:path';
import type { RunResult } from '../model/result.js';
import { renderPage } from './html/page.js';
import type { Reporter, ReporterOptions } from '../model/reporter.js';
import { writeFileAtomic } from './write-atomic.js';

export const htmlFileName = 'index.html';

export class HtmlReporter implements Reporter {
  readonly name = 'html';
  private readonly outputDir: string;

  constructor(options: ReporterOptions) {
    this.outputDir = options.outputDir;
  }

  async onRunEnd(result: RunResult): Promise<void> {
    await writeFileAtomic(path.join(this.outputDir, htmlFileName), renderHtmlReport(result));
  }
}

/** The whole document as a string; pure, so tests can check it without touching the disk. */
export function renderHtmlReport(result: RunResult): string {
  return renderPage(result);
}
