// Another machine for the --ssh and --remote tests: a network namespace joined to this one by a veth
// pair with addresses from 198.51.100.0/24 (TEST-NET-2: documentation only, never routed), and an
// OpenSSH server inside it with everything made for the run: its host key, an ed25519 key for the
// client, its own config file. Nothing listens outside the namespace; the /29 is picked at random
// among those not in use here, so that concurrent runs do not meet. stop() removes it all, whatever a
// failed test left: every process in the namespace and every ssh client here still talking to it (a
// socklab killed mid-run leaves its own). If mocha is interrupted (SIGINT, SIGTERM, SIGHUP), the
// socklab runs using the machine are interrupted too and the machine removed before mocha ends; if it
// exits without calling stop(), its exit removes it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TempDir } from './temp-dir.js';
import { SSHD_PATH } from './tools.js';

export class SshMachine {
  readonly temp = new TempDir();
  /** The client's key (authorized there) and one that is not. */
  readonly key = path.join(this.temp.path, 'key');
  readonly strangerKey = path.join(this.temp.path, 'stranger');
  readonly knownHosts = path.join(this.temp.path, 'known_hosts');
  private sshd: ChildProcess | null = null;
  private sshdLog = '';
  private readonly removeOnExit = () => this.remove();
  // Synchronous, so that mocha starts no further test meanwhile; then the signal does what it would have.
  private readonly removeOnSignal = (signal: NodeJS.Signals) => {
    this.interruptRuns();
    this.forget();
    this.remove();
    process.kill(process.pid, signal);
  };

  private constructor(
    readonly namespace: string,
    private readonly hostDevice: string,
    /** This machine's address on the link, the other machine's, and one nobody has. */
    readonly localAddress: string,
    readonly address: string,
    readonly unusedAddress: string,
  ) {}

  static async start(): Promise<SshMachine> {
    const suffix = randomBytes(3).toString('hex');
    const used = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
    let base = 0;
    for (let attempt = 0; attempt < 20 && base === 0; attempt += 1) {
      const candidate = 8 * randomInt(1, 31);
      if (!used.includes(`198.51.100.${candidate + 1}/`)) base = candidate;
    }
    if (base === 0) throw new Error('no free /29 in 198.51.100.0/24 for the test machine');
    const machine = new SshMachine(`sltest-ssh-${suffix}`, `sl${suffix}h`, `198.51.100.${base + 1}`, `198.51.100.${base + 2}`, `198.51.100.${base + 5}`);
    process.once('exit', machine.removeOnExit);
    for (const signal of STOP_SIGNALS) process.once(signal, machine.removeOnSignal);
    try {
      await machine.build(suffix);
    } catch (error) {
      await machine.stop();
      throw error;
    }
    return machine;
  }

  /** socklab's options that put `role` on this machine over SSH, as user root. */
  sshOptions(role: string, key = this.key): string[] {
    return ['--ssh', `${role}=root@${this.address}`, '--ssh-identity', key, '--ssh-option', `UserKnownHostsFile=${this.knownHosts}`, '--ssh-option', 'StrictHostKeyChecking=accept-new', '--ssh-option', 'IdentitiesOnly=yes'];
  }

  /** Starts a program inside the namespace, as a person would in a terminal there (for --remote). */
  startByHand(command: string[]): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.namespace, ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Processes in the namespace besides the SSH server's listener, as `pid args` lines. */
  leftovers(): string[] {
    const pids = execFileSync('ip', ['netns', 'pids', this.namespace], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const others = pids.filter((pid) => Number(pid) !== this.sshd?.pid);
    if (others.length === 0) return [];
    const listing = execFileSync('ps', ['-o', 'pid=,args=', '-p', others.join(',')], { encoding: 'utf8' }).split('\n');
    // An SSH session's own sshd may take a moment to go once its client has left: it is the server's, not socklab's.
    return listing.map((line) => line.trim()).filter((line) => line && !/sshd: root@notty|sshd: root \[priv\]|\[listener\]/.test(line));
  }

  /** Waits until nothing of socklab's is left in the namespace (its watchers end within a second or two). */
  async leftoversAfter(ms = 5000): Promise<string[]> {
    const deadline = Date.now() + ms;
    let left = this.leftovers();
    while (left.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = this.leftovers();
    }
    return left;
  }

  async stop(): Promise<void> {
    if (this.sshd && this.sshd.exitCode === null) {
      const exited = new Promise((resolve) => this.sshd!.once('exit', resolve));
      this.sshd.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
      if (this.sshd.exitCode === null && this.sshd.signalCode === null) this.sshd.kill('SIGKILL');
    }
    this.forget();
    this.remove();
  }

  private forget(): void {
    process.off('exit', this.removeOnExit);
    for (const signal of STOP_SIGNALS) process.off(signal, this.removeOnSignal);
  }

  /** Synchronous, for process exit too: kills what is left there and here, then removes the namespace, the link and the files. */
  private remove(): void {
    // A namespace's name can be deleted while processes still run in it: they go first.
    for (const pid of this.pidsInside()) killNow(pid);
    for (const pid of this.clientsHere()) killNow(pid);
    // Deleting the namespace takes its end of the veth pair, and with it this end.
    try {
      execFileSync('ip', ['netns', 'delete', this.namespace], { stdio: 'ignore' });
    } catch {
      // Never made, or gone already.
    }
    try {
      execFileSync('ip', ['link', 'delete', this.hostDevice], { stdio: 'ignore' });
    } catch {
      // Gone with the namespace.
    }
    this.temp.remove();
  }

  private pidsInside(): number[] {
    try {
      return execFileSync('ip', ['netns', 'pids', this.namespace], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** ssh clients on this machine whose destination is the test machine (its address is this run's alone). */
  private clientsHere(): number[] {
    return this.processesHere((words) => path.basename(words[0]) === 'ssh');
  }

  /** Sends SIGINT to the socklab runs here that use the machine, as Ctrl-C would, and waits (5 s at most) until they ended. */
  private interruptRuns(): void {
    const runs = this.processesHere((words) => words.some((word) => path.basename(word) === 'socklab.js'));
    for (const pid of runs) signalNow(pid, 'SIGINT');
    const deadline = Date.now() + 5000;
    while (runs.some(isRunning) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }

  /** Processes here, besides this one, with `kind` and a word naming the test machine (USER@ADDRESS, or an option ending so). */
  private processesHere(kind: (words: string[]) => boolean): number[] {
    const destinations = [this.address, this.unusedAddress].map((address) => `@${address}`);
    return readdirSync('/proc').flatMap((entry) => {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) return [];
      let words: string[];
      try {
        words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      } catch {
        return [];
      }
      return kind(words) && words.some((word) => destinations.some((destination) => word.endsWith(destination))) ? [pid] : [];
    });
  }

  private async build(suffix: string): Promise<void> {
    const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    ip('netns', 'add', this.namespace);
    ip('link', 'add', this.hostDevice, 'type', 'veth', 'peer', 'name', `sl${suffix}n`, 'netns', this.namespace);
    ip('addr', 'add', `${this.localAddress}/29`, 'dev', this.hostDevice);
    ip('link', 'set', this.hostDevice, 'up');
    ip('-n', this.namespace, 'addr', 'add', `${this.address}/29`, 'dev', `sl${suffix}n`);
    ip('-n', this.namespace, 'link', 'set', `sl${suffix}n`, 'up');
    ip('-n', this.namespace, 'link', 'set', 'lo', 'up');
    for (const file of [this.key, this.strangerKey, path.join(this.temp.path, 'host_key')]) {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'socklab-test', '-f', file]);
    }
    const config = this.temp.write(
      'sshd_config',
      [
        'Port 22',
        `ListenAddress ${this.address}`,
        `HostKey ${path.join(this.temp.path, 'host_key')}`,
        `AuthorizedKeysFile ${this.key}.pub`,
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PidFile none',
        '',
      ].join('\n'),
    );
    // sshd's privilege separation wants this folder to exist.
    mkdirSync('/run/sshd', { recursive: true });
    writeFileSync(this.knownHosts, '');
    this.sshd = spawn('ip', ['netns', 'exec', this.namespace, SSHD_PATH, '-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.sshd.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.sshdLog += chunk));
    const deadline = Date.now() + 10_000;
    while (!this.sshdLog.includes('Server listening')) {
      if (this.sshd.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start in ${this.namespace}: ${this.sshdLog.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function killNow(pid: number): void {
  signalNow(pid, 'SIGKILL');
}

function signalNow(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

/** Alive, and not a zombie waiting for this process (which cannot reap it while it waits) to reap it. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
