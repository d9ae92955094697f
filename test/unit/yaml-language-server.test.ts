// The editor engine itself: yaml-language-server (what VS Code's YAML extension, Neovim and others run)
// reads a spec's `# yaml-language-server: $schema=../../spec.schema.json` line and checks the spec
// against the checked-in schema, as it would in an editor. Documents are opened at URIs inside specs/
// (not written to disk) so that the relative modeline resolves exactly as it does for a real spec.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findSpecFiles } from '../../harness/spec/find-spec-files.js';
import { LspClient, type LspDiagnostic } from '../support/lsp-client.js';
import { repoRoot } from '../support/paths.js';

const serverScript = createRequire(import.meta.url).resolve('yaml-language-server/bin/yaml-language-server');
const DIAGNOSTICS_TIMEOUT_MS = 10_000;
const tcpSpec = readFileSync(path.join(repoRoot, 'specs', 'task1', 'tcp-uppercase.yaml'), 'utf8');

describe('spec.schema.json in yaml-language-server', function () {
  this.timeout(20_000);
  let server: LspClient;

  before(async () => {
    server = LspClient.start(process.execPath, [serverScript, '--stdio']);
    await server.request('initialize', { processId: process.pid, rootUri: pathToFileURL(repoRoot).href, capabilities: {}, workspaceFolders: null });
    server.notify('initialized', {});
    // No schema store: the test must not depend on the network, and the modeline names the schema.
    server.notify('workspace/didChangeConfiguration', { settings: { yaml: { validate: true, schemaStore: { enable: false } } } });
  });

  after(async () => {
    await server?.stop();
  });

  let version = 0;
  function check(file: string, text: string): Promise<LspDiagnostic[]> {
    const uri = pathToFileURL(file).href;
    server.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: ++version, text } });
    return server.diagnostics(uri, DIAGNOSTICS_TIMEOUT_MS);
  }

  /** `text` with the first line containing `find` changed to `replace`, and that line's number (0-based). */
  function withLineChanged(text: string, find: string, replace: string): { text: string; line: number } {
    const lines = text.split('\n');
    const line = lines.findIndex((candidate) => candidate.includes(find));
    expect(line, `"${find}" in the spec`).to.be.at.least(0);
    lines[line] = lines[line].replace(find, replace);
    return { text: lines.join('\n'), line };
  }

  it('finds nothing to report in any spec in specs/', async () => {
    for (const file of findSpecFiles([path.join(repoRoot, 'specs')])) {
      const diagnostics = await check(file, readFileSync(file, 'utf8'));
      expect(diagnostics.map((diagnostic) => `${diagnostic.range.start.line + 1}: ${diagnostic.message}`), file).to.deep.equal([]);
    }
  });

  it('reports a misspelled step key on its line', async () => {
    const { text, line } = withLineChanged(tcpSpec, 'stdin:', 'stdinn:');
    const diagnostics = await check(path.join(repoRoot, 'specs', 'task1', 'misspelled-key.yaml'), text);
    expect(diagnostics.map((diagnostic) => [diagnostic.range.start.line, diagnostic.message])).to.deep.include([line, 'Property stdinn is not allowed.']);
  });

  it('reports a duration that is not one on its line', async () => {
    const { text, line } = withLineChanged(tcpSpec, 'ready: { tcp: "{{ports.server}}" }', 'ready: { tcp: "{{ports.server}}", timeout: 3 seconds }');
    const diagnostics = await check(path.join(repoRoot, 'specs', 'task1', 'bad-duration.yaml'), text);
    expect(diagnostics.map((diagnostic) => diagnostic.range.start.line)).to.include(line);
  });
});
