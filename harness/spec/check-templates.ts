// Checks every `{{…}}` in a step against the known template variables, pointing the caret at the
// template itself inside its string.
import { isScalar } from 'yaml';
import { checkTemplateExpression, findTemplateReferences } from './template.js';
import type { Diagnostic, PathSegment } from './diagnostics.js';
import type { YamlSource } from './yaml-source.js';

export function checkTemplates(value: unknown, source: YamlSource, valuePath: PathSegment[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  visit(value, valuePath);
  return diagnostics;

  function visit(item: unknown, itemPath: PathSegment[]): void {
    if (typeof item === 'string') {
      const references = findTemplateReferences(item);
      references.forEach((reference, occurrence) => {
        const problem = checkTemplateExpression(reference.expression);
        if (problem) diagnostics.push(locateTemplate(source, itemPath, occurrence, reference.expression.length + 4, problem));
      });
      if (/\{\{/.test(item.replace(/\{\{[^{}]*\}\}/g, ''))) {
        diagnostics.push(source.diagnosticAt(itemPath, `unclosed template in ${JSON.stringify(item)}: expected {{name}}`));
      }
    } else if (Array.isArray(item)) {
      item.forEach((child, index) => visit(child, [...itemPath, index]));
    } else if (item && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) visit(child, [...itemPath, key]);
    }
  }
}

/** A diagnostic whose caret sits under the n-th `{{` of the scalar at `itemPath`, as written in the file. */
function locateTemplate(source: YamlSource, itemPath: PathSegment[], occurrence: number, length: number, message: string): Diagnostic {
  const diagnostic = source.diagnosticAt(itemPath, message);
  const node = source.nodeAt(itemPath);
  if (!isScalar(node) || !node.range) return diagnostic;
  // Offsets within the scalar's own source text (quotes included), never a search of the whole file.
  const written = source.text.slice(node.range[0], node.range[1]);
  let offset = -1;
  for (let seen = 0; seen <= occurrence; seen += 1) {
    offset = written.indexOf('{{', offset + 1);
    if (offset === -1) return diagnostic;
  }
  const position = source.lineCounter.linePos(node.range[0] + offset);
  return { ...diagnostic, line: position.line, column: position.col, length };
}
