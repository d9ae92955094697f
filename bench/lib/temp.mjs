// One temporary folder for the whole bench run; everything the bench writes besides
// reports/bench.json lives under it, and it is removed when the bench exits.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let base = null;

export function tempDir(name) {
  base ??= mkdtempSync(path.join(os.tmpdir(), 'socklab-bench-'));
  const dir = mkdtempSync(path.join(base, `${name}-`));
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function removeTempDirs() {
  if (base) rmSync(base, { recursive: true, force: true });
  base = null;
}
