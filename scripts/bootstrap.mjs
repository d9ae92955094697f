#!/usr/bin/env node
// Makes a fresh clone runnable: installs dependencies when the lock file changed, then builds incrementally.
// Used by `npm start`, `npm test` and `npm run bench` so that each works with no other step.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const lockFile = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules', '.socklab-install-stamp');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex');
const installed = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (installed !== lockHash) {
  process.stderr.write('socklab: installing dependencies (npm ci)…\n');
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, lockHash + '\n');
}
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
try {
  execFileSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' });
} catch {
  process.stderr.write('socklab: the TypeScript build failed (see above).\n');
  process.exit(3);
}
// The spec validators compiled ahead of time, and the CLI in one file: both only make it start faster,
// so a failure here is a warning (the CLI then compiles the validators and loads the compiled modules).
for (const step of ['precompile-validators.mjs', 'bundle-cli.mjs']) {
  try {
    execFileSync(process.execPath, [path.join(root, 'scripts', step)], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    process.stderr.write(`socklab: warning: scripts/${step} failed (see above); socklab works, but starts slower.\n`);
  }
}
