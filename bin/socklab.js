#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled harness (npm run build, or npm start/test which build
// first). It runs the bundled CLI (dist/cli.bundle.cjs, faster to start) when that is at least as new
// as the last TypeScript build, and the compiled modules otherwise (after a bare `tsc -b`). An
// installed package has no dist/.tsbuildinfo (npm pack leaves it out) and its files' times are those
// of the install, in no useful order: its bundle was built with the rest by prepack, so it is used.
//
// V8's compiled code of the bundle is kept between starts (parsing 2 MB of JavaScript was most of
// socklab's start-up): Node ≥ 22.1 does it itself (module.enableCompileCache); on Node 20 the bundle
// runs through vm.Script with the code V8 produced at the end of an earlier run, the functions that
// run compiled in (v8-compile-cache keeps only what compiles before the first line runs). Such a
// script cannot import() on Node 20: the bundle require()s its two CommonJS packages instead. The code is kept in socklab's cache folder,
// in a file named after the bundle's size and time and Node's version: a rebuilt bundle or another
// Node never gets the code of another one (V8 itself rejects code made by another V8 or other flags).
// The cache folder is dist/.cache when that is writable, else a folder of the user's own under the
// system's temporary folder; the CLI finds it, with what identifies this build, under
// Symbol.for('socklab.cache') (it keeps parsed spec files there: harness/commands/remembered-files.ts).
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const dist = (file) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const cli = dist('harness/cli.js');
if (!existsSync(cli)) {
  process.stderr.write('socklab: not built yet. Run `npm run build` (or `npm start`, which installs and builds).\n');
  process.exit(3);
}
const bundle = dist('cli.bundle.cjs');
const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const lastBuild = mtime(dist('.tsbuildinfo'));
const bundleIsCurrent = existsSync(bundle) && (lastBuild === 0 || mtime(bundle) >= Math.max(lastBuild, mtime(cli)));
const folder = cacheFolder();
if (folder) {
  const code = bundleIsCurrent ? (({ size, mtimeMs }) => `bundle ${size} ${mtimeMs}`)(statSync(bundle)) : `modules ${lastBuild} ${mtime(cli)}`;
  globalThis[Symbol.for('socklab.cache')] = { folder, build: `${code} ${mtime(dist('validators.generated.cjs'))} ${process.version}` };
}
if (!bundleIsCurrent) await import(cli);
else if (typeof module.enableCompileCache === 'function') {
  module.enableCompileCache();
  createRequire(import.meta.url)(bundle);
} else runWithCodeCache(bundle, folder);

/** Runs the CommonJS bundle as Node's require() would, with V8's code of an earlier run when there is some. */
function runWithCodeCache(file, folder) {
  const source = readFileSync(file, 'utf8');
  const { size, mtimeMs } = statSync(file);
  const name = `cli-${size}-${Math.round(mtimeMs)}-${process.version}-${process.arch}.v8`;
  const cacheFile = folder && path.join(folder, name);
  const cachedData = cacheFile ? readIfPresent(cacheFile) : undefined;
  const script = new vm.Script(module.wrap(source), { filename: file, cachedData });
  // Made at exit, when the functions this run used are compiled too; once, by the first run without one.
  if (cacheFile && (!cachedData || script.cachedDataRejected)) process.once('exit', () => keepCode(folder, name, script));
  const bundleModule = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext()(bundleModule.exports, createRequire(file), bundleModule, file, path.dirname(file));
}

/** dist/.cache, or $TMPDIR/socklab-cache-UID: made when missing; none when neither can be written. */
function cacheFolder() {
  const own = dist('.cache');
  try {
    mkdirSync(own, { recursive: true });
    return own;
  } catch {
    // An install owned by someone else (a global install run by a user): the user's own folder.
  }
  const mine = path.join(os.tmpdir(), `socklab-cache-${process.getuid?.() ?? 'user'}`);
  try {
    mkdirSync(mine, { recursive: true, mode: 0o700 });
    // Code is run from it: a folder another user made, or can write to, is not used.
    const stat = lstatSync(mine);
    return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0 ? mine : undefined;
  } catch {
    return undefined;
  }
}

function readIfPresent(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the code under a temporary name and renames it (runs at once never read half a file); older bundles' code goes. */
function keepCode(folder, name, script) {
  try {
    const temporary = path.join(folder, `.${name}.${process.pid}`);
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, path.join(folder, name));
    for (const other of readdirSync(folder)) if (other.startsWith('cli-') && other !== name) rmSync(path.join(folder, other), { force: true });
  } catch {
    // A cache that cannot be written only makes the next start slower.
  }
}
