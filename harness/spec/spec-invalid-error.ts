// A spec or lab file is invalid: every diagnostic, rendered with its source line and a caret.
import { EXIT_CODES, SocklabError } from '../errors.js';
import type { Diagnostic } from './diagnostics.js';
import { formatDiagnostic } from './diagnostics.js';

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
