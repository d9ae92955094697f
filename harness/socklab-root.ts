// Where socklab is installed: the nearest folder above this module with socklab's package.json. Found by
// looking, not by counting "..", so that the same code works from dist/harness/… and from the bundled
// CLI (dist/cli.bundle.cjs).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'socklab') return dir;
    if (path.dirname(dir) === dir) throw new Error(`socklab's package.json not found above ${start}`);
  }
}

export const root = findRoot(path.dirname(fileURLToPath(import.meta.url)));
