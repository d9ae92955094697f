#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled harness (npm run build, or npm start/test which build first).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/harness/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('socklab: not built yet. Run `npm run build` (or `npm start`, which installs and builds).\n');
  process.exit(3);
}
await import(cli);
