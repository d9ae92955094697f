// An experiment's temporary folder on another machine: made with mktemp there, holding socklab's
// scripts (.socklab/) and copies of what the programs need from this machine (a student's folder, the
// reference service, the experiment's temp folder), sent as tar streams over the SSH connection.
// Command words that name a copied path here are mapped to the copy there. Removing the folder first
// kills whatever still carries the experiment's tag there.
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { INSTALLED_SCRIPTS, MAKE_FOLDER, type ScriptName } from './remote-scripts.js';
import type { SshConnection } from './ssh-connection.js';
import { shellLine, shellQuote } from './shell-words.js';

/** What one copy may weigh: a program's folder, not a home folder by mistake. */
export const COPY_LIMIT_BYTES = 64 * 1024 * 1024;
/** Left out of every copy, as in a grading working copy. */
const EXCLUDED = ['.git', 'node_modules', '__pycache__'];

export class RemoteFolder {
  /** Local folder → its copy there, longest first (the most specific mapping wins). */
  private readonly mappings: Array<{ local: string; remote: string }> = [];
  private readonly copies = new Map<string, Promise<void>>();
  private programs = 0;

  private constructor(
    private readonly connection: SshConnection,
    /** Its path there. */
    readonly path: string,
  ) {}

  /** Makes the folder there (`socklab-LABEL.XXXXXXXX` under $TMPDIR or /tmp) with socklab's scripts in it. */
  static async make(connection: SshConnection, label: string): Promise<RemoteFolder> {
    const install = Object.entries(INSTALLED_SCRIPTS)
      .map(([name, text]) => `cat > "$folder/.socklab/${name}" <<'SOCKLAB_END_OF_SCRIPT'\n${text}SOCKLAB_END_OF_SCRIPT\n`)
      .join('');
    const made = await connection.script(`${MAKE_FOLDER}${install}echo "$folder"\n`, [label.replace(/[^A-Za-z0-9._-]/g, '_')]);
    const folder = made.stdout.toString('utf8').trim().split('\n').at(-1) ?? '';
    if (made.exitCode !== 0 || !folder.startsWith('/')) throw new Error(`could not make a temporary folder on ${connection.facts.hostName}: ${made.stderr.trim() || `exit ${made.exitCode}`}`);
    return new RemoteFolder(connection, folder);
  }

  /** The line that runs one of socklab's scripts in this folder with `args`. */
  scriptLine(name: ScriptName, args: Array<string | number>): string {
    return `exec sh ${shellQuote(`${this.path}/.socklab/${name}`)} ${shellLine([this.path, ...args.map(String)])}`;
  }

  /** A number for the next program started here (its files in .socklab/ carry it). */
  nextProgram(): number {
    this.programs += 1;
    return this.programs;
  }

  /**
   * Copies `entries` of the local folder `from` (default: all of it) to `to` inside this folder, once,
   * and maps `from` there. Rejects when the copy fails or would weigh more than COPY_LIMIT_BYTES.
   */
  copy(from: string, to: string, entries: string[] = ['.']): Promise<void> {
    const key = `${from}\0${to}\0${entries.join('\0')}`;
    let copying = this.copies.get(key);
    if (!copying) {
      copying = this.send(from, `${this.path}/${to}`, entries);
      this.copies.set(key, copying);
      this.mappings.push({ local: path.resolve(from), remote: `${this.path}/${to}` });
      this.mappings.sort((a, b) => b.local.length - a.local.length);
    }
    return copying;
  }

  /** A word with a copied local path (or a path inside one) replaced by its copy's path there. */
  map(word: string): string {
    for (const { local, remote } of this.mappings) {
      if (word === local) return remote;
      if (word.startsWith(`${local}/`)) return `${remote}${word.slice(local.length)}`;
      // `--root=/local/folder`-style words keep their prefix.
      const at = word.indexOf(`=${local}`);
      if (at >= 0 && (word.length === at + 1 + local.length || word[at + 1 + local.length] === '/')) return `${word.slice(0, at + 1)}${remote}${word.slice(at + 1 + local.length)}`;
    }
    return word;
  }

  /** Kills what still carries `tag` there, then removes the folder. Returns the pids it had to kill. */
  async remove(tag: string): Promise<number[]> {
    const result = await this.connection.exec(this.scriptLine('cleanup.sh', [tag]), { timeoutMs: 30_000 });
    return [...result.stdout.toString('utf8').matchAll(/^killed (\d+)$/gm)].map((match) => Number(match[1]));
  }

  private async send(from: string, to: string, entries: string[]): Promise<void> {
    const tar = spawn('tar', ['-C', from, ...EXCLUDED.map((name) => `--exclude=${name}`), '-cf', '-', '--', ...entries], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tarError = '';
    tar.stderr.setEncoding('utf8').on('data', (chunk: string) => (tarError += chunk));
    const tarFailed = new Promise<string | null>((resolve) => {
      tar.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ENOENT' ? 'tar not found on this machine (apt-get install tar)' : error.message));
      tar.once('close', (code) => resolve(code === 0 ? null : tarError.trim() || `tar exited with ${code}`));
    });
    let bytes = 0;
    const counted = new PassThrough();
    tar.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > COPY_LIMIT_BYTES) tar.kill('SIGKILL');
    });
    tar.stdout.pipe(counted);
    const unpack = `exec sh -c ${shellQuote('mkdir -p "$1" && exec tar -C "$1" -xf -')} socklab ${shellQuote(to)}`;
    const [sent, problem] = await Promise.all([this.connection.exec(unpack, { input: counted, timeoutMs: 120_000 }), tarFailed]);
    if (bytes > COPY_LIMIT_BYTES) throw new Error(`${from} weighs more than ${COPY_LIMIT_BYTES / 1024 / 1024} MiB: socklab copies a program's folder to the other machine; give the program a folder of its own (--submission DIR)`);
    if (problem) throw new Error(`could not pack ${from}: ${problem}`);
    if (sent.exitCode !== 0) throw new Error(`could not copy ${from} to ${this.connection.facts.hostName}:${to}: ${sent.stderr.trim() || `exit ${sent.exitCode}`}`);
  }
}
