// Every child of the bench runs in its own process group (spawned detached), so stopping one stops
// whatever it started too: a bash script's background server, xargs' scripts. Groups still alive
// are killed when the bench exits, and on Ctrl-C / SIGTERM after a short grace period.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const OUTPUT_CAP = 1 << 20;
const GNU_TIME = '/usr/bin/time';
const liveGroups = new Set();
let interrupted = false;

/** True once Ctrl-C or SIGTERM arrived: nothing new is started after that. */
export const isInterrupted = () => interrupted;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a program in a new process group. Returns { pid, child, startedAt, output, exited, done },
 * where `exited` resolves to { code, signal, error, endedAt } (times from performance.now()).
 */
export function startProcess(command, args, { cwd, env, stdio = ['ignore', 'pipe', 'pipe'] } = {}) {
  if (interrupted) throw new Error('interrupted');
  const startedAt = performance.now();
  const child = spawn(command, args, { cwd, env, stdio, detached: true });
  const proc = { pid: child.pid, child, startedAt, output: { stdout: '', stderr: '' }, done: false };
  if (child.pid) liveGroups.add(child.pid);
  for (const name of ['stdout', 'stderr']) {
    child[name]?.setEncoding('utf8');
    child[name]?.on('data', (chunk) => {
      if (proc.output[name].length < OUTPUT_CAP) proc.output[name] += chunk;
    });
  }
  proc.exited = new Promise((resolve) => {
    const finish = (result) => {
      const endedAt = performance.now();
      proc.done = true;
      // The leader is gone; anything it left in its group (a backgrounded server) goes with it.
      killGroup(child.pid, 'SIGKILL');
      liveGroups.delete(child.pid);
      resolve({ ...result, endedAt });
    };
    child.once('exit', (code, signal) => finish({ code, signal, error: null }));
    child.once('error', (error) => finish({ code: null, signal: null, error }));
  });
  return proc;
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader has exited. */
export async function stopProcess(proc, graceMs = 2000) {
  if (proc.done) return proc.exited;
  killGroup(proc.pid, 'SIGTERM');
  const timer = setTimeout(() => killGroup(proc.pid, 'SIGKILL'), graceMs);
  const result = await proc.exited;
  clearTimeout(timer);
  return result;
}

/** Resolves with performance.now() when stdout matches `pattern`; rejects on exit or after `timeoutMs`. */
export function waitForOutput(proc, pattern, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!pattern.test(proc.output.stdout)) return;
      cleanup();
      resolve(performance.now());
    };
    const timer = setTimeout(() => (cleanup(), reject(new Error(`no output matching ${pattern} within ${timeoutMs}ms`))), timeoutMs);
    const onExit = () => (cleanup(), reject(new Error(`exited before printing ${pattern}: ${proc.output.stderr.trim().slice(-300)}`)));
    const cleanup = () => {
      clearTimeout(timer);
      proc.child.stdout.off('data', check);
      proc.child.off('exit', onExit);
    };
    proc.child.stdout.on('data', check);
    proc.child.once('exit', onExit);
    check();
  });
}

/**
 * Runs a command to completion and times it from spawn to exit. With `peakRss`, also reports the
 * peak resident set size in KiB: from GNU time when installed (the largest single process of the
 * tree, which for socklab is socklab itself), else by polling the leader's VmHWM.
 */
export async function runCommand(command, args, { cwd, env, input, timeoutMs = 300_000, peakRss = false } = {}) {
  const rssFile = peakRss && existsSync(GNU_TIME) ? path.join(os.tmpdir(), `socklab-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`) : null;
  const [program, programArgs] = rssFile ? [GNU_TIME, ['-o', rssFile, '-f', '%M', command, ...args]] : [command, args];
  const proc = startProcess(program, programArgs, { cwd, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) proc.child.stdin.end(input);
  let polledRss = 0;
  const poller = peakRss && !rssFile ? setInterval(() => (polledRss = Math.max(polledRss, readHighWaterMark(proc.pid))), 50) : null;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stopProcess(proc);
  }, timeoutMs);
  const exit = await proc.exited;
  clearTimeout(timer);
  if (poller) clearInterval(poller);
  return {
    ms: exit.endedAt - proc.startedAt,
    code: exit.code,
    signal: exit.signal,
    error: exit.error,
    timedOut,
    stdout: proc.output.stdout,
    stderr: proc.output.stderr,
    peakRssKb: rssFile ? readGnuTimeRss(rssFile) : peakRss ? polledRss : undefined,
  };
}

function readGnuTimeRss(file) {
  try {
    // A killed program makes GNU time print "Command terminated by signal N" before the figure.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    return Number(lines.at(-1));
  } catch {
    return NaN;
  } finally {
    rmSync(file, { force: true });
  }
}

function readHighWaterMark(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function killGroup(pid, signal) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Kills every group still alive when the bench exits; on SIGINT/SIGTERM, stops them, then quits 130. */
export function installCleanup(onExit) {
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
    onExit();
  });
  const onSignal = async (signal) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}: stopping every program (again to quit at once)\n`);
    for (const pid of liveGroups) killGroup(pid, 'SIGTERM');
    await sleep(1500);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
