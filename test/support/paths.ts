// Locations the tests need. Compiled tests live in dist/test/…, sources and fixtures in test/….
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const programsDir = path.join(repoRoot, 'test', 'fixtures', 'programs');
export const cliPath = path.join(repoRoot, 'bin', 'socklab.js');

export function fixtureProgram(name: string): string {
  return path.join(programsDir, name);
}
