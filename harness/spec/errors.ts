// Error classes with a stable code, each mapped to the CLI's exit status.
import type { Diagnostic } from './diagnostics.js';
import { formatDiagnostic } from './diagnostics.js';

export const EXIT_CODES = {
  passed: 0,
  failed: 1,
  specInvalid: 2,
  harnessError: 3,
  interrupted: 130,
} as const;

export class SocklabError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = EXIT_CODES.harnessError,
  ) {
    super(message);
    this.name = 'SocklabError';
  }
}

/** One or more spec files are invalid. Carries every diagnostic, with the source text to show them. */
export class SpecInvalidError extends SocklabError {
  constructor(
    readonly diagnostics: Diagnostic[],
    readonly sources: ReadonlyMap<string, string>,
  ) {
    super('SPEC_INVALID', `${diagnostics.length} error(s) in spec files`, EXIT_CODES.specInvalid);
    this.name = 'SpecInvalidError';
  }

  /** Every error with its source line and caret, then a count. */
  render(): string {
    const blocks = this.diagnostics.map((diagnostic) => formatDiagnostic(diagnostic, this.sources.get(diagnostic.file)));
    const files = new Set(this.diagnostics.map((diagnostic) => diagnostic.file)).size;
    return `${blocks.join('\n\n')}\n\n${this.diagnostics.length} error${this.diagnostics.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
  }
}
