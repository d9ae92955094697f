#!/usr/bin/env node
// Build step after tsc: bundles the CLI (dist/harness/cli.js and everything it imports) with esbuild
// into dist/cli.bundle.mjs and its chunks (dist/chunks/). Node then loads a few modules instead of
// several hundred (socklab's own, TypeBox's, execa's…), which takes a few hundred milliseconds off
// every start of the CLI; and what the CLI imports only when it needs it (each command, each
// reporter, the SMTP sink) is a chunk of its own, compiled only by the commands that use it.
// bin/socklab.js uses the bundle only while it is newer than the last tsc build (dist/.tsbuildinfo).
// Left out of the bundle: packages loaded only by some steps (playwright-core, node-forge) and the
// precompiled validators (loaded at run time from dist/validators.generated.cjs).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
// Chunks are named by their content: those of an earlier build would only pile up.
rmSync(path.join(dist, 'chunks'), { recursive: true, force: true });
await build({
  entryPoints: { 'cli.bundle': path.join(dist, 'harness', 'cli.js') },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
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
