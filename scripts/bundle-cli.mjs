#!/usr/bin/env node
// Build step after tsc: bundles the CLI (dist/harness/cli.js and everything it imports) into one file,
// dist/cli.bundle.mjs, with esbuild. Node then loads one module instead of several hundred (socklab's
// own, TypeBox's, execa's…), which takes a few hundred milliseconds off every start of the CLI.
// bin/socklab.js uses the bundle only while it is newer than the last tsc build (dist/.tsbuildinfo).
// Left out of the bundle: packages loaded only by some steps (playwright-core, node-forge) and the
// precompiled validators (loaded at run time from dist/validators.generated.cjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
await build({
  entryPoints: [path.join(root, 'dist', 'harness', 'cli.js')],
  outfile: path.join(root, 'dist', 'cli.bundle.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['playwright-core', 'node-forge'],
  // CommonJS packages inside an ES module bundle still call require().
  banner: { js: "import { createRequire as socklabCreateRequire } from 'node:module'; const require = socklabCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
