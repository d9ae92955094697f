#!/usr/bin/env node
// Build step after tsc: bundles the CLI (dist/harness/cli.js and everything it imports) with esbuild
// into one CommonJS script, dist/cli.bundle.cjs. Node then reads one file instead of several hundred
// modules (socklab's own, TypeBox's, execa's…), and bin/socklab.js can keep V8's compiled code of that
// script from one start to the next (Node 20 has no code cache for ES modules): parsing the bundle
// was most of socklab's start-up. What the CLI imports only when it needs it (each command, each
// reporter, the SMTP sink) is still evaluated only when used.
// bin/socklab.js uses the bundle only while it is newer than the last tsc build (dist/.tsbuildinfo).
// Left out of the bundle: packages loaded only by some steps (playwright-core, node-forge) and the
// precompiled validators (loaded at run time from dist/validators.generated.cjs).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
// What earlier builds left: the ES module bundle and its chunks, and what the CLI of an older build
// kept in dist/.cache (V8's code of its bundle, spec files it parsed).
for (const stale of ['chunks', 'cli.bundle.mjs', 'cli.bundle.mjs.map', '.cache']) rmSync(path.join(dist, stale), { recursive: true, force: true });
await build({
  entryPoints: { 'cli.bundle': path.join(dist, 'harness', 'cli.js') },
  outdir: dist,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The two packages left out are CommonJS: required, not import()ed (a script run from V8's cached code
  // cannot import() on Node 20).
  supported: { 'dynamic-import': false },
  external: ['playwright-core', 'node-forge'],
  // The modules find socklab's folder and their neighbours from their own URL: the bundle's.
  define: { 'import.meta.url': 'socklabBundleUrl' },
  banner: { js: "const socklabBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
