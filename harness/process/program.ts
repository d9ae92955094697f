// One untrusted program, started in its own process group and its own cgroups, under resource limits
// (program-limits.ts), so that the whole of it can be stopped: SIGTERM to the group first, SIGKILL
// after a grace period, then SIGKILL to everything left in its cgroups, then a sweep by tag for
// anything that escaped both.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { DetectedError, Invocation, ProcessResult } from '../model/result.js';
import { DEFAULT_OUTPUT_CAP_BYTES, OutputCapture } from './output-capture.js';
import { TAG_VARIABLE, killTaggedProcesses } from './process-sweep.js';
import { liveGroups } from './live-groups.js';
import { findExecutable } from './limit-support.js';
import { ProgramLimits } from './program-limits.js';
import { decodeShellExit, exitWithin, type ExitInfo } from './exit-info.js';
import type { LaunchedProgram, SocketView } from './launched-program.js';
import { procSockets } from './proc-sockets.js';

export type { ExitInfo } from './exit-info.js';
import { inNamespace } from '../network/world.js';
import type { ResourceLimits } from './resource-limits.js';
import { sandboxCommand, type SandboxRequest } from './sandbox.js';
import { sandboxSupport } from './sandbox-support.js';

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
  /** Resource limits; what is not given keeps its default (DEFAULT_LIMITS in resource-limits.ts). */
  limits?: Partial<ResourceLimits>;
  /** Run on this host: `ip netns exec NAME` (the two-host topology). */
  namespace?: string;
  /**
   * Confine the program (sandbox.ts); where no sandbox can be made, it runs unconfined with a note, and
   * where it cannot run as the request's user, as socklab's own, with a note.
   */
  sandbox?: SandboxRequest;
  /** How a submission's program was given its arguments, recorded in its result. */
  invocation?: Invocation;
  /**
   * Start it held before its first instruction (program-limits.ts) until `release()`: it never runs
   * before that. Whether holding is worth it is the caller's to ask first (holdingSavesTime).
   */
  hold?: boolean;
}

/** How long a program gets between SIGTERM and SIGKILL. */
export const DEFAULT_GRACE_MS = 1000;
/** After the program exits, how long its pipes may stay open (held by a child) before we cut them. */
const PIPE_DRAIN_MS = 300;

export class Program implements LaunchedProgram {
  readonly stdout: OutputCapture;
  readonly stderr: OutputCapture;
  /** performance.now() when it started (when it was released, for a program started ahead). */
  startedAt = performance.now();
  readonly exited: Promise<ExitInfo>;
  pid: number | null = null;
  spawnError: DetectedError | null = null;
  exitInfo: ExitInfo | null = null;
  timedOut = false;
  killed = false;
  private endedAt: number | null = null;
  private readonly subprocess: ResultPromise;
  private readonly settled: Promise<unknown>;
  private readonly limits: ProgramLimits | null;
  private finalLimitNotes: string[] | null = null;
  /** Why a sandbox (or its user) was asked for and not made. */
  private readonly sandboxNotes: string[] = [];
  private readonly sandboxed: boolean;
  /** The uid it runs as, when not socklab's own. */
  private readonly user: number | undefined;
  /** Held before its first instruction until release(). */
  private holding: boolean;

  constructor(private readonly options: LaunchOptions) {
    const cap = options.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES;
    this.stdout = new OutputCapture(cap);
    this.stderr = new OutputCapture(cap);
    const [file = '', ...args] = options.command;
    // The wrapper starts even when the program does not exist, so find it first: a missing program
    // stays a spawn error (ENOENT / EACCES), not an exit code of the wrapper.
    const found = options.unavailable ? null : locate(file, options.env.PATH ?? DEFAULT_PATH, options.cwd);
    const executable = typeof found === 'string' ? found : null;
    // Outermost first: the limits wrapper, the network namespace, the sandbox (and in it the change of
    // user), then the program.
    let inner = executable ? [executable, ...args] : [];
    const support = options.sandbox && executable ? sandboxSupport() : null;
    let request = options.sandbox;
    if (request?.user && support?.bwrap && !support.setpriv) {
      this.sandboxNotes.push(`runs as socklab's own user, not a user of its own: ${support.userProblem ?? 'setpriv cannot be used'}`);
      request = { ...request, user: undefined };
    }
    if (support?.bwrap) inner = sandboxCommand({ bwrap: support.bwrap, setpriv: support.setpriv }, request!, inner);
    else if (support) this.sandboxNotes.push(`not sandboxed, the program could read and write any file socklab can: ${support.problem}`);
    this.limits = executable ? new ProgramLimits(options.limits, undefined, support?.bwrap ? request?.user?.uid : undefined) : null;
    if (options.namespace && executable) inner = inNamespace(options.namespace, inner);
    this.sandboxed = Boolean(support?.bwrap);
    this.user = support?.bwrap ? request?.user?.uid : undefined;
    // Only a program that is started through the limits wrapper can wait in it (one that cannot be found is no-op'd).
    this.holding = Boolean(options.hold && executable && this.limits);
    // When nothing can run, a no-op stands in so the life cycle stays the same for every caller.
    const [spawnFile, ...spawnArgs] = executable && this.limits ? this.limits.wrap(inner[0], inner.slice(1), { hold: this.holding }) : [process.execPath, '-e', ''];
    this.subprocess = execa(spawnFile, spawnArgs, {
      cwd: options.cwd,
      env: { ...options.env, [TAG_VARIABLE]: options.tag },
      extendEnv: false,
      detached: true,
      buffer: false,
      reject: false,
      cleanup: false,
      // stdin, stdout, stderr, and for a held program the line that releases it.
      stdio: this.holding ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
      encoding: 'buffer',
    });
    if (options.unavailable) this.spawnError = { code: 'ENOPROGRAM', message: options.unavailable };
    else if (found && typeof found === 'object') this.spawnError = { code: found.code ?? 'ENOENT', message: spawnMessage(file, found) };
    this.pid = this.subprocess.pid ?? null;
    if (this.pid !== null) liveGroups.add(this.pid);
    this.stdout.attach(this.subprocess.stdout);
    this.stderr.attach(this.subprocess.stderr);
    this.feedStdin(options.stdin);
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.subprocess.once('exit', (exitCode, signal) => resolve(this.sandboxed ? decodeShellExit({ exitCode, signal }) : { exitCode, signal }));
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

  /** Whether it was started ahead and still waits for release(). */
  get held(): boolean {
    return this.holding;
  }

  /** Lets a program started ahead (`hold`) run: from here on it counts as started. */
  release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.startedAt = performance.now();
    const go = this.subprocess.stdio[3] as NodeJS.WritableStream | null | undefined;
    go?.on('error', () => undefined); // a wrapper that has died already: its exit says so
    go?.end('\n');
  }

  /** Its sockets, read from its own /proc tables (readiness). */
  get sockets(): SocketView {
    return procSockets(this.pid);
  }

  /** The program's own command (without the wrappers that start it) and folder. */
  get command(): readonly string[] {
    return this.options.command;
  }

  get cwd(): string {
    return this.options.cwd;
  }

  /** performance.now() when it ended, or null while it runs. */
  get endedAtMs(): number | null {
    return this.endedAt;
  }

  /** A fallback to weaker limits, and every limit the program ran into (memory, processes, CPU, file size). */
  get limitNotes(): string[] {
    if (!this.limits) return [];
    return this.finalLimitNotes ?? [...this.sandboxNotes, ...this.limits.fallbackNotes, ...this.limits.hits(this.exitInfo)];
  }

  get running(): boolean {
    return this.pid !== null && this.exitInfo === null && this.spawnError === null;
  }

  /** Resolves with the exit, or with null when `ms` passes first. */
  async waitForExit(ms: number, signal?: AbortSignal): Promise<ExitInfo | null> {
    return this.exitInfo ?? exitWithin(this.exited, ms, signal);
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

  /** Stops the whole program: SIGTERM to its group, SIGKILL after `graceMs`, SIGKILL to what is left in its cgroups, the
   * escaped-process sweep; then its cgroups are removed. */
  async stop(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    if (this.pid === null) {
      await this.releaseLimits();
      return;
    }
    if (this.running) {
      this.killed = true;
      signalGroup(this.pid, 'SIGTERM');
      await this.waitForExit(graceMs);
    }
    // Even after the leader exits, members of its group (children, grandchildren) may live on, and
    // members of its cgroups that left the group (setsid, a double-forked daemon).
    signalGroup(this.pid, 'SIGKILL');
    await this.limits?.killMembers();
    liveGroups.delete(this.pid);
    await this.exited;
    await this.drainPipes();
    await this.releaseLimits();
  }

  /** Reads what the program hit while its cgroups still exist, then removes them. */
  private async releaseLimits(): Promise<void> {
    if (!this.limits || this.finalLimitNotes) return;
    const notes = this.limitNotes;
    this.finalLimitNotes = [...notes, ...(await this.limits.destroy())];
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
      ...(this.options.invocation ? { invocation: this.options.invocation } : {}),
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
      ...(this.options.namespace ? { namespace: this.options.namespace } : {}),
      ...(this.sandboxed ? { sandboxed: true } : {}),
      ...(this.user !== undefined ? { uid: this.user } : {}),
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

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** The path spawn would execute for `file`, or the error it would fail with (ENOENT / EACCES). */
function locate(file: string, searchPath: string, cwd: string): string | NodeJS.ErrnoException {
  const executable = file ? findExecutable(file, searchPath, cwd) : null;
  if (executable) return executable;
  const candidates = file.includes('/') ? [path.resolve(cwd, file)] : searchPath.split(':').filter(Boolean).map((dir) => path.resolve(cwd, dir, file));
  const code = file && candidates.some((candidate) => existsSync(candidate)) ? 'EACCES' : 'ENOENT';
  return Object.assign(new Error(`${code}: ${file}`), { code });
}

function spawnMessage(file: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return `program not found: ${file} (is it installed and on PATH?)`;
  if (error.code === 'EACCES') return `program not executable: ${file} (check its permissions)`;
  return `cannot start ${file}: ${error.message}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
