// Loading inline YAML through the real loader, for exact error-message tests.
import { formatDiagnostic, type Diagnostic } from '../../harness/spec/diagnostics.js';
import { loadSource, type SourceResult } from '../../harness/spec/load-spec.js';
import { YamlSource } from '../../harness/spec/yaml-source.js';

export const labRoles = new Set(['tcp-server', 'tcp-client', 'udp-server', 'udp-client']);

export function loadInline(text: string, file = 'spec.yaml'): SourceResult {
  const source = new YamlSource(file, text);
  return loadSource(source, { roles: labRoles });
}

/** Every diagnostic rendered as the CLI prints it. */
export function renderedErrors(text: string, file = 'spec.yaml'): string[] {
  return loadInline(text, file).diagnostics.map((diagnostic: Diagnostic) => formatDiagnostic(diagnostic, text));
}
