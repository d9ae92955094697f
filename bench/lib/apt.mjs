// Installing a missing tool from Debian for a benchmark: only as root, only when BENCH_INSTALL is not
// "0", and always said on stderr first. Returns true, or why the tool is not there.
import { runCommand } from './processes.mjs';
import { findOnPath } from './services.mjs';

const SEARCHED = ['/usr/sbin', '/usr/bin'];

/** The path of `program`, apt-get installing `debianPackage` first when it is missing and allowed. */
export async function findOrInstall(program, debianPackage, log) {
  const found = findOnPath(program, SEARCHED);
  if (found) return { binary: found };
  if (process.getuid?.() !== 0) return { skipped: `${program} is not installed (apt-get install ${debianPackage}, or run the bench as root to have it installed)` };
  if (process.env.BENCH_INSTALL === '0') return { skipped: `${program} is not installed and BENCH_INSTALL=0 forbids installing it` };
  const installed = await aptInstall(debianPackage, log);
  if (installed !== true) return { skipped: installed };
  return findOnPath(program, SEARCHED) ? { binary: findOnPath(program, SEARCHED) } : { skipped: `apt-get installed ${debianPackage} but no ${program} binary was found` };
}

async function aptInstall(name, log) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => runCommand('apt-get', ['install', '-y', '--no-install-recommends', name], { env, timeoutMs: 300_000 });
  log(`${name} is missing: apt-get install ${name} (running as root; BENCH_INSTALL=0 forbids it)`);
  let result = await install();
  if (result.code !== 0) {
    log('apt-get update, then install again');
    await runCommand('apt-get', ['update'], { env, timeoutMs: 300_000 });
    result = await install();
  }
  return result.code === 0 ? true : `apt-get install ${name} failed (exit ${result.code ?? result.signal}): ${result.stderr.trim().split('\n').at(-1)}`;
}
