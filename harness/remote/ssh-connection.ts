// One SSH connection to another machine, shared by everything a run does there: the OpenSSH client
// (`ssh`, never a client of our own) as a master (`ControlMaster`) that socklab starts and owns, and
// each short command a session multiplexed over it, so that reading a program's sockets or stopping it
// costs no new handshake; at most MUX_SESSIONS at once, below sshd's MaxSessions (10 by default). A
// program gets a connection of its own instead (`session`): it may run for the whole experiment, and
// when its client here dies, that connection's end there dies too, which its watcher notices. The user's own ssh setup applies: ~/.ssh/config, the agent (SSH_AUTH_SOCK), known
// hosts, and `--ssh-option KEY=VALUE` / `--ssh-identity FILE`, which come first so that they win (ssh
// keeps the first value of an option). socklab adds BatchMode (never a prompt that would hang a run)
// and a ConnectTimeout, so that an unreachable machine or a refused key is one line within seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { liveGroups } from '../process/live-groups.js';
import { shellLine } from './shell-words.js';

export interface SshTarget {
  user?: string;
  host: string;
}

export interface SshSettings {
  /** `--ssh-option KEY=VALUE`, each passed as `-o KEY=VALUE` before socklab's own. */
  options: string[];
  /** `--ssh-identity FILE`: `-i FILE` (keys from the agent stay usable). */
  identity?: string;
}

/** What socklab learns about the other machine when it connects. */
export interface RemoteFacts {
  /** Its own name (`uname -n`). */
  hostName: string;
  /** The user programs run as there. */
  user: string;
  /** This machine's address and the other's, as the connection arrived there (SSH_CONNECTION). */
  localAddress: string;
  remoteAddress: string;
  /** The commands socklab may use there. */
  tools: Set<'setsid' | 'ss' | 'tcpdump' | 'tar' | 'node' | 'mktemp'>;
}

export interface CommandResult {
  exitCode: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Why a connection could not be made, in ssh's own words (its last line). */
export class SshConnectError extends Error {}

const DEFAULT_CONNECT_TIMEOUT_S = 10;
/** On top of ConnectTimeout: the key exchange and authentication of a slow machine. */
const LOGIN_ALLOWANCE_MS = 20_000;
const COMMAND_TIMEOUT_MS = 60_000;
const TOOLS = ['setsid', 'ss', 'tcpdump', 'tar', 'node', 'mktemp'] as const;
/** Sessions multiplexed over the master at once; sshd refuses more than its MaxSessions (default 10). */
const MUX_SESSIONS = 6;

export class SshConnection {
  facts!: RemoteFacts;
  private closed = false;
  private sessions = 0;
  private readonly waiting: Array<() => void> = [];

  private constructor(
    readonly target: SshTarget,
    private readonly settings: SshSettings,
    private readonly controlDir: string,
    private readonly master: ChildProcess,
    private readonly masterExited: Promise<void>,
  ) {}

  /** `user@host`, as ssh takes it. */
  get destination(): string {
    return this.target.user ? `${this.target.user}@${this.target.host}` : this.target.host;
  }

  /** Connects (within ConnectTimeout and a login allowance) and reads the facts of the other machine; throws SshConnectError. */
  static async open(target: SshTarget, settings: SshSettings): Promise<SshConnection> {
    const controlDir = await mkdtemp(path.join(os.tmpdir(), 'socklab-ssh-'));
    const destination = target.user ? `${target.user}@${target.host}` : target.host;
    const args = [...commonArguments(settings, controlDir), '-o', 'ControlMaster=yes', '-o', 'ControlPersist=no', '-N', '--', destination];
    const master = spawn('ssh', args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    if (master.pid !== undefined) liveGroups.add(master.pid);
    let stderr = '';
    master.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let spawnError: NodeJS.ErrnoException | undefined;
    const masterExited = new Promise<void>((resolve) => {
      master.once('error', (error: NodeJS.ErrnoException) => ((spawnError = error), resolve()));
      master.once('close', () => resolve());
    }).then(() => {
      if (master.pid !== undefined) liveGroups.delete(master.pid);
    });
    const connection = new SshConnection(target, settings, controlDir, master, masterExited);
    let exited = false;
    void masterExited.then(() => (exited = true));
    const allowedMs = connectTimeoutS(settings) * 1000 + LOGIN_ALLOWANCE_MS;
    const deadline = performance.now() + allowedMs;
    // The control socket appears once the login succeeded; until then ssh may still fail.
    while (!existsSync(connection.controlSocket)) {
      if (exited || performance.now() > deadline) {
        await connection.close();
        if (spawnError) throw new SshConnectError(spawnError.code === 'ENOENT' ? 'ssh not found: install the OpenSSH client (apt-get install openssh-client)' : `cannot start ssh: ${spawnError.message}`);
        throw new SshConnectError(exited ? (sshProblem(stderr) ?? `ssh ended (${master.exitCode ?? master.signalCode})`) : `no login within ${allowedMs / 1000} s`);
      }
      await Promise.race([delay(20), masterExited]);
    }
    try {
      connection.facts = await connection.readFacts();
    } catch (error) {
      await connection.close();
      throw new SshConnectError(`connected, but could not look around: ${error instanceof Error ? error.message : String(error)}`);
    }
    return connection;
  }

  private get controlSocket(): string {
    return path.join(this.controlDir, 'control');
  }

  /** The local command that runs `line` (words for the remote shell, already quoted) over this connection. */
  command(line: string): string[] {
    return ['ssh', ...commonArguments(this.settings, this.controlDir), '--', this.destination, line];
  }

  /** The local command that runs `line` there over a connection of its own (a program that may run long). */
  session(line: string): string[] {
    return ['ssh', ...commonArguments(this.settings, null), '--', this.destination, line];
  }

  /** Runs `line` there and collects what it printed; `input` goes to its stdin. Rejects when it cannot be run within `timeoutMs`. */
  async exec(line: string, options: { input?: string | Buffer | NodeJS.ReadableStream; timeoutMs?: number } = {}): Promise<CommandResult> {
    if (this.sessions < MUX_SESSIONS) this.sessions += 1;
    // A session that ends hands its place to the next one waiting (the count stays as it is).
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await this.execNow(line, options);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.sessions -= 1;
    }
  }

  private execNow(line: string, options: { input?: string | Buffer | NodeJS.ReadableStream; timeoutMs?: number }): Promise<CommandResult> {
    const [file, ...args] = this.command(line);
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdin.on('error', () => undefined);
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`ssh ${this.destination} did not finish within ${Math.round((options.timeoutMs ?? COMMAND_TIMEOUT_MS) / 1000)} s: ${line}`));
      }, options.timeoutMs ?? COMMAND_TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ exitCode, stdout: Buffer.concat(stdout), stderr });
      });
      const { input } = options;
      if (input === undefined) child.stdin.end();
      else if (typeof input === 'string' || Buffer.isBuffer(input)) child.stdin.end(input);
      else input.pipe(child.stdin);
    });
  }

  /** Runs a POSIX sh script there (sent on stdin, so the remote user's own shell never parses it) with `args`. */
  async script(text: string, args: string[] = [], timeoutMs?: number): Promise<CommandResult> {
    return this.exec(`exec sh -s -- ${shellLine(args)}`, { input: text, timeoutMs });
  }

  /** Ends the master connection; what still runs there through it learns so (remote-scripts.ts's watcher). Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.master.exitCode === null && this.master.signalCode === null && this.master.pid !== undefined) {
      try {
        process.kill(-this.master.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const gone = await Promise.race([this.masterExited.then(() => true), delay(3000).then(() => false)]);
      if (!gone) {
        try {
          process.kill(-this.master.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await this.masterExited;
      }
    }
    await rm(this.controlDir, { recursive: true, force: true }).catch(() => undefined);
  }

  private async readFacts(): Promise<RemoteFacts> {
    const probe = `uname -n; id -un; echo "$SSH_CONNECTION"; for tool in ${TOOLS.join(' ')}; do command -v "$tool" >/dev/null 2>&1 && printf '%s ' "$tool"; done; echo`;
    const result = await this.script(probe, [], 20_000);
    const [hostName = '', user = '', connection = '', tools = ''] = result.stdout.toString('utf8').split('\n');
    if (result.exitCode !== 0 || !hostName) throw new Error(sshProblem(result.stderr) ?? `exit ${result.exitCode}`);
    const [localAddress = '', , remoteAddress = ''] = connection.trim().split(/\s+/);
    return {
      hostName: hostName.trim(),
      user: user.trim(),
      localAddress,
      remoteAddress,
      tools: new Set(TOOLS.filter((tool) => tools.trim().split(/\s+/).includes(tool))),
    };
  }
}

/** ssh's options for every command; `controlDir`: multiplexed over the master there, null: a connection of its own. */
function commonArguments(settings: SshSettings, controlDir: string | null): string[] {
  return [
    '-T',
    ...settings.options.flatMap((option) => ['-o', option]),
    ...(settings.identity ? ['-i', settings.identity] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${DEFAULT_CONNECT_TIMEOUT_S}`,
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    `ControlPath=${controlDir ? path.join(controlDir, 'control') : 'none'}`,
  ];
}

/** The ConnectTimeout in force: the user's own when given, else socklab's. */
function connectTimeoutS(settings: SshSettings): number {
  const given = settings.options.map((option) => /^ConnectTimeout[= ]\s*(\d+)$/i.exec(option)?.[1]).find((value) => value !== undefined);
  return given !== undefined ? Number(given) : DEFAULT_CONNECT_TIMEOUT_S;
}

/** What to do about ssh's usual refusals: it runs without prompts here, so nothing can be typed in. */
const HINTS: Array<[RegExp, string]> = [
  [/Permission denied/, 'the machine refused every key offered: put your public key in its ~/.ssh/authorized_keys, and offer the key with ssh-agent (SSH_AUTH_SOCK) or --ssh-identity FILE'],
  [/Host key verification failed/, 'its host key is not in your known_hosts: connect once with ssh by hand, or add --ssh-option StrictHostKeyChecking=accept-new'],
  [/Could not resolve hostname/, 'give its address, or a name this machine resolves'],
  [/timed out|No route to host|Network is unreachable|Connection refused/, 'is the machine on, reachable from here, and its SSH server running (port 22, or --ssh-option Port=N)?'],
];

/** ssh's last line that says what went wrong (without its warnings about known hosts), with what to do. */
export function sshProblem(stderr: string): string | null {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^Warning: Permanently added/.test(line));
  const last = lines.at(-1);
  if (!last) return null;
  const hint = HINTS.find(([pattern]) => pattern.test(last))?.[1];
  return hint ? `${last} (${hint})` : last;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
