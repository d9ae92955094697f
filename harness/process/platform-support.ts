// What of socklab's Linux machinery this platform has, found once per harness process, and what a run
// does where a piece is missing (macOS, Windows, a BSD; or a Linux container without /proc/PID/net):
//   - readiness: the kernel's own socket tables (/proc/PID/net, or ss in socklab's namespace), which
//     see a listener without connecting to it. Without /proc, lsof lists the sockets of the program's
//     process group just as well. Without lsof either, a TCP connect probe (the server sees one extra
//     connection that sends nothing and closes), and UDP sockets cannot be seen at all: a UDP server or
//     a client's first datagram is taken as there after a fixed delay. SOCKLAB_READINESS=proc|lsof|connect
//     forces one (for a machine where the chosen one misbehaves, and for tests);
//   - stillness (stillness.ts) reads /proc: without it, run steps wait out their timeouts;
//   - the sweep of escaped processes by their tag (process-sweep.ts) reads /proc/PID/environ: without
//     it, `ps e` lists the environments (of socklab's own user's processes);
//   - namespaces, bubblewrap, cgroups and prlimit say so themselves (sandbox-support.ts, limit-support.ts).
// Each missing piece is one line in the run's record (environment.missing), never silently.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findExecutable } from './limit-support.js';

export type ReadinessMethod = 'proc' | 'lsof' | 'connect';
const METHODS: ReadinessMethod[] = ['proc', 'lsof', 'connect'];

export interface PlatformSupport {
  /** /proc with per-process socket tables, as on Linux. */
  proc: boolean;
  readiness: ReadinessMethod;
  /** Absolute paths of the tools the fallbacks use, or null. */
  lsof: string | null;
  ps: string | null;
  /** What the run goes without here and what it does instead, one line each; empty on Linux. */
  missing: string[];
}

/** How long a UDP socket is taken to be there after its program started, when it cannot be seen. */
export const UNSEEN_UDP_DELAY_MS = 1000;

let probed: PlatformSupport | null = null;

export function platformSupport(): PlatformSupport {
  probed ??= probePlatform();
  return probed;
}

/** For tests: pretend a platform (null: probe again). */
export function overridePlatformSupport(support: PlatformSupport | null): void {
  probed = support;
}

/** Exported for tests, which give it another /proc to look for, PATH and SOCKLAB_READINESS. */
export function probePlatform(options: { procNet?: string; searchPath?: string; forced?: string } = {}): PlatformSupport {
  const { procNet = '/proc/self/net/tcp', searchPath = `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`, forced = process.env.SOCKLAB_READINESS } = options;
  const proc = existsSync(procNet);
  const missing: string[] = [];
  // Without /proc each tool is tried once: one may be installed and not work (Linux's lsof and ps read /proc too).
  const lsofFound = findExecutable('lsof', searchPath);
  const lsofFails = lsofFound && !proc ? failureOf(lsofFound, ['-n', '-P', '-w', '-a', '-p', String(process.pid), '-d', 'cwd', '-F', 'p'], `p${process.pid}`) : null;
  const lsof = lsofFails ? null : lsofFound;
  const psFound = findExecutable('ps', searchPath);
  const ps = psFound && !proc && failureOf(psFound, ['-p', String(process.pid), '-o', 'pid=']) ? null : psFound;
  const available: Record<ReadinessMethod, string | null> = {
    proc: proc ? null : 'there is no /proc',
    lsof: lsof ? null : (lsofFails ?? 'lsof is not installed'),
    connect: null,
  };
  let readiness: ReadinessMethod = proc ? 'proc' : lsof ? 'lsof' : 'connect';
  if (forced) {
    const wanted = METHODS.find((method) => method === forced);
    if (!wanted) missing.push(`SOCKLAB_READINESS=${forced} ignored: expected one of ${METHODS.join(', ')}`);
    else if (available[wanted]) missing.push(`SOCKLAB_READINESS=${forced} ignored: ${available[wanted]}`);
    else readiness = wanted;
  }
  const why = forced === readiness ? `SOCKLAB_READINESS=${forced}` : readiness === 'lsof' ? 'no /proc' : `no /proc, and ${available.lsof}`;
  if (readiness === 'lsof') missing.push(`readiness by lsof (${why}): the sockets of each program's process group as lsof lists them`);
  if (readiness === 'connect') {
    missing.push(
      `readiness by connecting (${why}): a TCP server sees one extra connection that sends nothing, and so does a packet capture; UDP sockets cannot be seen, so a UDP server or a client's first datagram counts as there ${UNSEEN_UDP_DELAY_MS / 1000}s after its start; no port discovery`,
    );
  }
  if (!proc) {
    missing.push('no stillness detection (no /proc): run steps wait out their timeouts');
    const noPs = psFound ? 'ps does not run here' : 'no ps';
    missing.push(ps ? 'escaped processes found by `ps e` (no /proc/PID/environ)' : `no sweep of escaped processes (no /proc, ${noPs}): a program that leaves its process group may outlive the run`);
  }
  return { proc, readiness, lsof, ps, missing };
}

/** Why `file args` does not work (a failed exit, or no line `expected` in its output), or null when it does. */
function failureOf(file: string, args: string[], expected?: string): string | null {
  const run = spawnSync(file, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  const works = expected === undefined ? run.status === 0 : run.stdout?.split('\n').includes(expected);
  if (works) return null;
  const said = (run.stderr ?? '').trim().split('\n').at(-1);
  return `${file.split('/').at(-1)} does not work here (${run.error ? run.error.message : `exit ${run.status}`}${said ? `: ${said}` : ''})`;
}
