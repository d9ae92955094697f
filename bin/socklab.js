#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled harness (npm run build, or npm start/test which build
// first). It loads the bundled CLI (dist/cli.bundle.mjs, faster to start) when that is at least as
// new as the last TypeScript build, and the compiled modules otherwise (after a bare `tsc -b`).
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = (file) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const cli = dist('harness/cli.js');
if (!existsSync(cli)) {
  process.stderr.write('socklab: not built yet. Run `npm run build` (or `npm start`, which installs and builds).\n');
  process.exit(3);
}
const bundle = dist('cli.bundle.mjs');
const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
await import(mtime(bundle) >= Math.max(mtime(dist('.tsbuildinfo')), mtime(cli)) ? bundle : cli);
