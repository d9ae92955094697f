#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled harness (npm run build, or npm start/test which build
// first). It loads the bundled CLI (dist/cli.bundle.mjs, faster to start) when that is at least as
// new as the last TypeScript build, and the compiled modules otherwise (after a bare `tsc -b`). An
// installed package has no dist/.tsbuildinfo (npm pack leaves it out) and its files' times are those
// of the install, in no useful order: its bundle was built with the rest by prepack, so it is used.
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
const lastBuild = mtime(dist('.tsbuildinfo'));
const bundleIsCurrent = existsSync(bundle) && (lastBuild === 0 || mtime(bundle) >= Math.max(lastBuild, mtime(cli)));
await import(bundleIsCurrent ? bundle : cli);
