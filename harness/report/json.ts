// The JSON reporter: results.json is the RunResult verbatim, so graders and scripts get every field
// the model has without this file having to know about any of them.
import path from 'node:path';
import type { RunResult } from '../model/result.js';
import type { Reporter, ReporterOptions } from '../model/reporter.js';
import { writeFileAtomic } from './write-atomic.js';

export const jsonFileName = 'results.json';

export class JsonReporter implements Reporter {
  readonly name = 'json';
  private readonly outputDir: string;

  constructor(options: ReporterOptions) {
    this.outputDir = options.outputDir;
  }

  async onRunEnd(result: RunResult): Promise<void> {
    // Pretty-printed because people open it to see why a grade is what it is.
    await writeFileAtomic(path.join(this.outputDir, jsonFileName), JSON.stringify(result, null, 2) + '\n');
  }
}
