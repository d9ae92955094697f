// A program on another machine, started over SSH: a local `ssh` session of its own (a Program here, so its
// output is drained and capped, its stdin fed and closed, its own group killable) runs run.sh there,
// which starts the program in its own session and process group in the experiment's folder. Its
// stdout and stderr stream back over the session. Stopping it is done there: SIGTERM to its process
// group, SIGKILL after the grace period (stop.sh); a program that ignores SIGTERM still goes. Its exit
// status is read there afterwards (status.sh), so that ssh's own failures (exit 255) are told apart.
import os from 'node:os';
import type { DetectedError, Invocation, ProcessResult } from '../model/result.js';
import { decodeShellExit, exitWithin, type ExitInfo } from '../process/exit-info.js';
import type { LaunchedProgram, SocketView } from '../process/launched-program.js';
import { DEFAULT_GRACE_MS, Program } from '../process/program.js';
import type { RemoteFolder } from './remote-folder.js';
import { REMOTE_TAG_VARIABLE } from './remote-scripts.js';
import { probedSockets, sshSockets } from './remote-sockets.js';
import type { SshConnection } from './ssh-connection.js';
import { shellLine } from './shell-words.js';

export interface SshLaunch {
  connection: SshConnection;
  folder: RemoteFolder;
  /** The address socklab reaches the machine at. */
  host: string;
  /** The program's command and folder as run there (paths mapped into `folder`). */
  command: string[];
  cwd: string;
  /** Its command and folder here (the source a report may quote). */
  localCommand: string[];
  localCwd: string;
  /** Added to its environment there (the shell there gives it the rest: PATH, HOME, …). */
  env: Record<string, string>;
  stdin?: string;
  /** The experiment's tag, there as here (REMOTE_TAG_VARIABLE there): what is left with it is killed when the folder is removed. */
  tag: string;
  outputCapBytes?: number;
  /** How a submission's program was given its arguments, recorded in its result. */
  invocation?: Invocation;
}

/** After the program there ended, how long the SSH session may take to end too. */
const SESSION_END_MS = 5_000;
const STATUS_TIMEOUT_MS = 15_000;

export class SshProgram implements LaunchedProgram {
  readonly exited: Promise<ExitInfo>;
  readonly sockets: SocketView;
  spawnError: DetectedError | null = null;
  exitInfo: ExitInfo | null = null;
  timedOut = false;
  killed = false;
  /** Its pid there (the leader of its process group), once known. */
  private remotePid: number | null = null;
  private readonly session: Program;
  private readonly number: number;
  private stopping: Promise<void> | undefined;
  private readonly problems: string[] = [];

  constructor(private readonly launch: SshLaunch) {
    const { connection, folder } = launch;
    this.number = folder.nextProgram();
    const assignments = Object.entries({ ...launch.env, [REMOTE_TAG_VARIABLE]: launch.tag }).map(([name, value]) => `${name}=${value}`);
    const line = `${folder.scriptLine('run.sh', [this.number, launch.cwd, assignments.length])} ${shellLine([...assignments, ...launch.command])}`;
    this.session = new Program({ command: connection.session(line), cwd: os.tmpdir(), env: sshEnvironment(), stdin: launch.stdin, tag: launch.tag, outputCapBytes: launch.outputCapBytes });
    this.sockets = connection.facts.tools.has('ss') ? sshSockets(connection, folder, this.number) : probedSockets(launch.host, `ss is not installed on ${connection.facts.hostName}`);
    this.exited = this.session.exited.then(() => this.settle());
  }

  get stdout() {
    return this.session.stdout;
  }

  get stderr() {
    return this.session.stderr;
  }

  get pid(): number | null {
    return this.session.pid;
  }

  get running(): boolean {
    return this.session.pid !== null && this.exitInfo === null && this.spawnError === null;
  }

  get endedAtMs(): number | null {
    return this.session.endedAtMs;
  }

  get command(): readonly string[] {
    return this.launch.localCommand;
  }

  get cwd(): string {
    return this.launch.localCwd;
  }

  /** Where it ran and what did not hold there, for the step's notes. */
  get notes(): string[] {
    const { facts } = this.launch.connection;
    return [
      `ran on ${facts.user}@${this.launch.host} (${facts.hostName}) over SSH, in ${this.launch.cwd}; this machine's resource limits and filesystem sandbox do not apply there`,
      ...this.problems,
    ];
  }

  async waitForExit(ms: number, signal?: AbortSignal): Promise<ExitInfo | null> {
    return this.exitInfo ?? exitWithin(this.exited, ms, signal);
  }

  /** Stops its whole process group there (SIGTERM, SIGKILL after `graceMs`), then the SSH session here. */
  stop(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.stopping ??= this.stopEverywhere(graceMs);
    return this.stopping;
  }

  result(extra: { stillRunning: boolean }): ProcessResult {
    const local = this.session.result(extra);
    const { facts } = this.launch.connection;
    return {
      ...local,
      command: this.launch.command,
      ...(this.launch.invocation ? { invocation: this.launch.invocation } : {}),
      cwd: this.launch.cwd,
      pid: this.remotePid,
      exitCode: this.exitInfo?.exitCode ?? null,
      signal: this.exitInfo?.signal ?? null,
      timedOut: this.timedOut,
      killed: this.killed,
      error: this.spawnError,
      spawnError: this.spawnError,
      remote: { startedBy: 'ssh', host: this.launch.host, user: facts.user, hostName: facts.hostName, folder: this.launch.folder.path },
    };
  }

  private async stopEverywhere(graceMs: number): Promise<void> {
    if (this.running) {
      this.killed = true;
      const stopped = await this.launch.connection.exec(this.launch.folder.scriptLine('stop.sh', [this.number, graceMs]), { timeoutMs: graceMs + 15_000 }).catch((error: unknown) => error as Error);
      if (stopped instanceof Error) this.problems.push(`could not stop it on ${this.launch.connection.facts.hostName}: ${stopped.message}; what is left of it is killed when the experiment's folder there is removed`);
    }
    // The wrapper there ends with its program, and the SSH session with the wrapper.
    await this.session.waitForExit(SESSION_END_MS);
    await this.session.stop();
    await this.exited;
  }

  /** Once the session ended: how the program ended there, read from its status file. */
  private async settle(): Promise<ExitInfo> {
    const session = this.session.exitInfo ?? { exitCode: null, signal: null };
    if (this.session.spawnError) {
      this.spawnError = this.session.spawnError;
      this.exitInfo = session;
      return session;
    }
    const status = await this.launch.connection
      .exec(this.launch.folder.scriptLine('status.sh', [this.number]), { timeoutMs: STATUS_TIMEOUT_MS })
      .then((result) => Object.fromEntries(result.stdout.toString('utf8').split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])) as Record<string, string>)
      .catch(() => null);
    const pid = Number(status?.pid);
    if (Number.isInteger(pid) && pid > 0) this.remotePid = pid;
    const recorded = /^exit (\d+)$/.exec(status?.status ?? '');
    let info: ExitInfo;
    if (status?.notfound) {
      const program = this.launch.command[0] ?? '';
      this.spawnError = { code: 'ENOENT', message: `program not found on ${this.launch.connection.facts.hostName}: ${program} (is it installed there and on PATH?)` };
      info = { exitCode: null, signal: null };
    } else if (recorded) {
      info = decodeShellExit({ exitCode: Number(recorded[1]), signal: null });
    } else {
      // The wrapper never recorded an exit: the session ended first (the connection broke, or it was cut here).
      info = session.exitCode === 255 ? { exitCode: null, signal: null } : decodeShellExit(session);
      this.problems.push(`its exit status could not be read on ${this.launch.connection.facts.hostName}: the SSH session ended first (${session.exitCode === 255 ? 'ssh exit 255: the connection broke' : `ssh ${session.exitCode ?? session.signal}`})`);
    }
    this.exitInfo = info;
    return info;
  }
}

/** ssh's own environment: the agent, the user's ssh configuration and known hosts, as in a terminal here. */
function sshEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('SOCKLAB_')) env[key] = value;
  return env;
}

