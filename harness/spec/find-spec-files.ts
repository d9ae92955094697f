// Which files a run reads: YAML files under the given paths, sorted, without the lab file.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { SocklabError, EXIT_CODES } from '../errors.js';

const SPEC_FILE = /\.ya?ml$/;
export const LAB_FILE_NAMES = new Set(['lab.yaml', 'lab.yml']);

export function findSpecFiles(paths: string[]): string[] {
  const files = new Set<string>();
  for (const given of paths) {
    let stats;
    try {
      stats = statSync(given);
    } catch {
      throw new SocklabError('NO_SUCH_PATH', `no such file or folder: ${given}`, EXIT_CODES.specInvalid);
    }
    if (stats.isDirectory()) for (const file of walk(given)) files.add(file);
    else files.add(given);
  }
  return [...files].sort();
}

function walk(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') found.push(...walk(full));
    else if (entry.isFile() && SPEC_FILE.test(entry.name) && !LAB_FILE_NAMES.has(entry.name)) found.push(full);
  }
  return found;
}
