#!/usr/bin/env node
// `npm pack` (and `npm publish`) run this first, so a tarball always holds a build of the sources it
// was packed from: bin/socklab.js runs dist/, and dist/ is not in git. It builds what the package
// runs (the harness and the services; the tests are not packed), the precompiled validators and the
// bundled CLI, then:
// - removes compiled files whose source is gone (tsc -b leaves them behind, and `files` would pack them);
// - copies package-lock.json to dist/: npm never packs a lock file at a package's root, and
//   `socklab gradescope-bundle` needs one for setup.sh's `npm ci --omit=dev`.
// Unlike bootstrap.mjs, a failed step fails the pack: a tarball without its bundle is not shipped.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const node = (...args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });

node(path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'harness', 'services');
for (const project of ['harness', 'services']) removeOrphans(path.join(root, 'dist', project), path.join(root, project));
node(path.join(root, 'scripts', 'precompile-validators.mjs'));
node(path.join(root, 'scripts', 'bundle-cli.mjs'));
copyFileSync(path.join(root, 'package-lock.json'), path.join(root, 'dist', 'package-lock.json'));

/** Deletes X.js (and its .d.ts and maps) under `built` when `source` has no X.ts. */
function removeOrphans(built, source) {
  if (!existsSync(built)) return;
  for (const entry of readdirSync(built, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const compiled = path.join(entry.parentPath, entry.name);
    const relative = path.relative(built, compiled).replace(/\.js$/, '');
    if (existsSync(path.join(source, `${relative}.ts`))) continue;
    process.stderr.write(`prepack: removing ${path.relative(root, compiled)}: its source is gone\n`);
    for (const suffix of ['.js', '.js.map', '.d.ts', '.d.ts.map']) rmSync(path.join(built, relative + suffix), { force: true });
  }
}
