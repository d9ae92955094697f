// Reads the lab file (which roles exist and which reference program plays each) with the same
// positioned diagnostics as spec files.
import { readFileSync } from 'node:fs';
import { SocklabError, EXIT_CODES } from '../errors.js';
import { SpecInvalidError } from '../spec/spec-invalid-error.js';
import { validateAgainst } from '../spec/schema-validator.js';
import { YamlSource } from '../spec/yaml-source.js';
import { checkTemplates } from '../spec/check-templates.js';
import { regexProblem } from '../spec/check-patterns.js';
import { LabSchema, type LabDefinition } from './lab-schema.js';

export function loadLab(file: string): LabDefinition {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new SocklabError('NO_LAB_FILE', `cannot read the lab file ${file} (pass --lab FILE)`, EXIT_CODES.specInvalid);
  }
  const source = new YamlSource(file, text);
  const diagnostics = [...source.syntaxErrors];
  if (diagnostics.length === 0) {
    const value = source.toJS();
    diagnostics.push(...validateAgainst(LabSchema, value, source));
    // Language commands use their own {{file}} / {{stem}} placeholders, so only roles are checked here.
    if (diagnostics.length === 0) diagnostics.push(...checkTemplates((value as LabDefinition).roles, source, ['roles']));
    if (diagnostics.length === 0) {
      for (const [role, definition] of Object.entries((value as LabDefinition).roles)) {
        (definition.ignoreOutput ?? []).forEach((pattern, index) => {
          const problem = regexProblem(pattern);
          if (problem) diagnostics.push(source.diagnosticAt(['roles', role, 'ignoreOutput', index], `invalid regular expression: ${problem}`));
        });
      }
    }
    if (diagnostics.length === 0) return value as LabDefinition;
  }
  throw new SpecInvalidError(diagnostics, new Map([[file, text]]));
}
