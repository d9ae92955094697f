// The files of a folder tree, for commands that copy one (gradescope-bundle, init).
import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Every file below `folder`, sorted, without hidden ones and node_modules. */
export function filesUnder(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(full));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}
