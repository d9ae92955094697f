// One untrusted program, started in its own process group so that the whole group can be stopped:
// SIGTERM first, SIGKILL after a grace period, then a sweep for anything that escaped the group.
import { execa, type ResultPromise } from 'execa';
import type { DetectedError, ProcessResult } from '../../model/result.js';
import { DEFAULT_OUTPUT_CAP_BYTES, OutputCapture } from './output-capture.js';
import { TAG_VARIABLE, killTaggedProcesses } from './process-sweep.js';
import { liveGroups } from './live-groups.js';

export interface LaunchOptions {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  /** Written to stdin, which is then closed. Undefined closes stdin at once. */
  stdin?: string;
  /** Tag put in the environment (SOCKLAB_TAG) for the escaped-process sweep. */
  tag: string;
  outputCapBytes?: number;
  /** The program cannot be run (missing from a submission, failed to build): nothing is spawned, and
   * the result is a spawn error with this message. */
  unavailable?: string;
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
}

/** How long a program gets between SIGTERM and SIGKILL. */
export const DEFAULT_GRACE_MS = 1000;
/** After the program exits, how long its pipes may stay open (held by a child) before we cut them. */
const PIPE_DRAIN_MS = 300;

export class Program {
  readonly stdout: OutputCapture;
  readonly stderr: OutputCapture;
  readonly startedAt = performance.now();
  readonly exited: Promise<ExitInfo>;
  pid: number | null = null;
  spawnError: DetectedError | null = null;
  exitInfo: ExitInfo | null = null;
  timedOut = false;
  killed = false;
  private endedAt: number | null = null;
  private readonly subprocess: ResultPromise;
  private readonly settled: Promise<unknown>;

  constructor(private readonly options: LaunchOptions) {
    const cap = options.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES;
    this.stdout = new OutputCapture(cap);
    this.stderr = new OutputCapture(cap);
    const [file, ...args] = options.unavailable ? [process.execPath, '-e', ''] : options.command;
    this.subprocess = execa(file, args, {
      cwd: options.cwd,
      env: { ...options.env, [TAG_VARIABLE]: options.tag },
      extendEnv: false,
      detached: true,
      buffer: false,
      reject: false,
      cleanup: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      encoding: 'buffer',
    });
    if (options.unavailable) {
      // Spawn nothing that matters: a no-op stands in so the life cycle stays the same for every caller.
      this.spawnError = { code: 'ENOPROGRAM', message: options.unavailable };
    }
    this.pid = this.subprocess.pid ?? null;
    if (this.pid !== null) liveGroups.add(this.pid);
    this.stdout.attach(this.subprocess.stdout);
    this.stderr.attach(this.subprocess.stderr);
    this.feedStdin(options.stdin);
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.subprocess.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
      this.subprocess.once('error', (error: NodeJS.ErrnoException) => {
        this.spawnError = { code: error.code ?? 'ESPAWN', message: spawnMessage(file, error) };
        resolve({ exitCode: null, signal: null });
      });
    }).then((info) => {
      this.exitInfo = info;
      this.endedAt = performance.now();
      return info;
    });
    this.settled = this.subprocess.then(
      () => undefined,
      () => undefined,
    );
  }

  get running(): boolean {
    return this.pid !== null && this.exitInfo === null && this.spawnError === null;
  }

  /** Resolves with the exit, or with null when `ms` passes first. */
  async waitForExit(ms: number, signal?: AbortSignal): Promise<ExitInfo | null> {
    if (this.exitInfo) return this.exitInfo;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(null), ms);
      const onAbort = () => finish(null);
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.exited.then((info) => finish(info));
      function finish(value: ExitInfo | null) {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      }
    });
  }

  /** Resolves once stdout has a line matching `pattern`; rejects after `ms`. */
  stdoutLine(pattern: RegExp, ms: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`no stdout line matching ${pattern} within ${ms}ms`));
      }, ms);
      const unsubscribe = this.stdout.onLine((line) => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        queueMicrotask(unsubscribe);
        resolve(line);
      });
    });
  }

  /** Stops the whole process group: SIGTERM, then SIGKILL after `graceMs`, then the escaped-process sweep. */
  async stop(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    if (this.pid === null) return;
    if (this.running) {
      this.killed = true;
      signalGroup(this.pid, 'SIGTERM');
      await this.waitForExit(graceMs);
    }
    // Even after the leader exits, members of its group (children, grandchildren) may live on.
    signalGroup(this.pid, 'SIGKILL');
    liveGroups.delete(this.pid);
    await this.exited;
    await this.drainPipes();
  }

  /** Waits for the pipes to close; cuts them if an escaped descendant still holds them. */
  private async drainPipes(): Promise<void> {
    const closed = await Promise.race([this.settled.then(() => true), delay(PIPE_DRAIN_MS).then(() => false)]);
    if (closed) return;
    killTaggedProcesses(this.options.tag);
    this.subprocess.stdout?.destroy();
    this.subprocess.stderr?.destroy();
    await Promise.race([this.settled, delay(PIPE_DRAIN_MS)]);
  }

  result(extra: { stillRunning: boolean }): ProcessResult {
    const end = this.endedAt ?? performance.now();
    return {
      command: this.options.command,
      cwd: this.options.cwd,
      pid: this.pid,
      exitCode: this.exitInfo?.exitCode ?? null,
      signal: this.exitInfo?.signal ?? null,
      timedOut: this.timedOut,
      killed: this.killed,
      stillRunning: extra.stillRunning,
      stdout: this.stdout.text(),
      stderr: this.stderr.text(),
      stdoutBase64: this.stdout.base64IfBinary(),
      stdoutTruncated: this.stdout.truncated,
      stderrTruncated: this.stderr.truncated,
      stdoutBytes: this.stdout.totalBytes,
      stderrBytes: this.stderr.totalBytes,
      error: this.spawnError,
      spawnError: this.spawnError,
      durationMs: Math.round(end - this.startedAt),
    };
  }

  private feedStdin(text: string | undefined): void {
    const stdin = this.subprocess.stdin;
    if (!stdin) return;
    // A program that exits or closes stdin early makes writes fail with EPIPE: that is its business, not a crash.
    stdin.on('error', () => undefined);
    if (text !== undefined && text.length > 0) stdin.write(text);
    stdin.end();
  }
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function spawnMessage(file: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return `program not found: ${file} (is it installed and on PATH?)`;
  if (error.code === 'EACCES') return `program not executable: ${file} (check its permissions)`;
  return `cannot start ${file}: ${error.message}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
