// One experiment's share of the other machines: a temporary folder on each machine it starts programs
// on (made when first needed), the copies of what those programs need, the programs themselves, the
// capture there, and at the end the sweep of anything left with the experiment's tag and the folder's
// removal. A role started by hand gets no folder: socklab only reaches it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RemoteCaptureResult } from '../model/capture.js';
import type { Invocation } from '../model/result.js';
import type { LaunchedProgram } from '../process/launched-program.js';
import { HandStartedProgram } from './hand-started-program.js';
import { RemoteCapture } from './remote-capture.js';
import { RemoteFolder } from './remote-folder.js';
import type { RemoteRoles, SshRole } from './remote-roles.js';
import type { SshConnection } from './ssh-connection.js';
import { SshProgram } from './ssh-program.js';

/** What the experiment's plan says about its roles on other machines. */
export interface RemoteExperimentPlan {
  id: string;
  /** SOCKLAB_TAG of its programs, there as here. */
  tag: string;
  /** The experiment's temp folder here (`{{tmp}}`): copied there when a program names it. */
  tmpDir: string;
  /** socklab's own folder: a reference program under it is copied there with socklab's package.json. */
  root: string;
  /** Each role's folder, as planned here. */
  roles: Record<string, { cwd: string }>;
}

export interface RemoteLaunch {
  role: string;
  /** Its whole command line, as planned here (the step's arguments placed the program's way). */
  command: string[];
  /** How a submission's program was given its arguments, recorded in its result. */
  invocation?: Invocation;
  stdin?: string;
  /** Added to its environment (the step's `env`, what earlier steps shared). */
  env: Record<string, string>;
  outputCapBytes?: number;
}

export class RemoteExperiment {
  private readonly folders = new Map<SshConnection, Promise<RemoteFolder>>();
  private readonly captures: RemoteCapture[] = [];

  constructor(
    private readonly remoteRoles: RemoteRoles,
    private readonly plan: RemoteExperimentPlan,
  ) {}

  /** Whether `role` runs on another machine in this run. */
  has(role: string): boolean {
    return this.remoteRoles.get(role) !== undefined;
  }

  /** Starts the role's program there (or, for a role started by hand, stands for it). Rejects when its files cannot be put there. */
  async launch(request: RemoteLaunch): Promise<LaunchedProgram & { notes?: string[] }> {
    const remote = this.remoteRoles.get(request.role);
    const planned = this.plan.roles[request.role];
    if (!remote || !planned) throw new Error(`role ${request.role} does not run on another machine`);
    const words = request.command;
    if (remote.startedBy === 'hand') return new HandStartedProgram(remote, words);
    const folder = await this.folderOn(remote.connection);
    await this.copyWhatItNeeds(folder, planned.cwd, [...words, ...Object.values(request.env)]);
    const env = Object.fromEntries(Object.entries({ PYTHONUNBUFFERED: '1', ...request.env }).map(([name, value]) => [name, folder.map(value)]));
    return new SshProgram({
      connection: remote.connection,
      folder,
      host: remote.host,
      command: words.map((word) => folder.map(word)),
      cwd: folder.map(planned.cwd),
      localCommand: words,
      localCwd: planned.cwd,
      env,
      stdin: request.stdin,
      tag: this.plan.tag,
      outputCapBytes: request.outputCapBytes,
      ...(request.invocation ? { invocation: request.invocation } : {}),
    });
  }

  /** Captures on every machine this experiment starts programs on, with the local capture's `filter`. */
  async startCapture(filter: string): Promise<void> {
    for (const remote of this.sshRoles()) {
      const folder = await this.folderOn(remote.connection);
      this.captures.push(await RemoteCapture.start(remote.connection, folder, { host: remote.host, tag: this.plan.tag }, filter));
    }
  }

  /**
   * After teardown: stops the captures there and copies them back (`<id>-remote.pcap`, numbered when
   * several machines), then kills whatever still carries the experiment's tag there and removes its folders.
   */
  async finish(outputDir: string): Promise<{ captures: RemoteCaptureResult[]; notes: string[] }> {
    const captures = await Promise.all(this.captures.map((capture, index) => capture.finish(outputDir, `${this.plan.id}-remote${this.captures.length > 1 ? `-${index + 1}` : ''}.pcap`)));
    const notes: string[] = [];
    for (const [connection, made] of this.folders) {
      const folder = await made.catch(() => null);
      if (!folder) continue;
      const killed = await folder.remove(this.plan.tag).catch((error: unknown) => {
        notes.push(`could not clean up ${folder.path} on ${connection.facts.hostName}: ${error instanceof Error ? error.message : String(error)}`);
        return [];
      });
      if (killed.length) notes.push(`on ${connection.facts.hostName}, ${killed.length} process(es) of this experiment had left their process group: killed (pids ${killed.join(', ')})`);
    }
    return { captures, notes };
  }

  private sshRoles(): SshRole[] {
    const roles = Object.keys(this.plan.roles).flatMap((role) => {
      const remote = this.remoteRoles.get(role);
      return remote?.startedBy === 'ssh' ? [remote] : [];
    });
    return roles.filter((role, index) => roles.findIndex((other) => other.connection === role.connection) === index);
  }

  private folderOn(connection: SshConnection): Promise<RemoteFolder> {
    let folder = this.folders.get(connection);
    if (!folder) {
      folder = RemoteFolder.make(connection, this.plan.id);
      this.folders.set(connection, folder);
    }
    return folder;
  }

  /**
   * The program's folder; the experiment's temp folder when the program names it; and the folders of
   * socklab's own files it names (a reference service), with socklab's package.json above them.
   */
  private async copyWhatItNeeds(folder: RemoteFolder, cwd: string, words: string[]): Promise<void> {
    const { tmpDir, root } = this.plan;
    const inside = (word: string, outer: string) => word === outer || word.startsWith(`${outer}/`) || word.includes(`=${outer}`);
    await folder.copy(cwd, cwd === tmpDir ? 'tmp' : 'program');
    if (cwd !== tmpDir && words.some((word) => inside(word, tmpDir))) await folder.copy(tmpDir, 'tmp');
    const fromRoot = words.filter((word) => word.startsWith(`${root}/`) && existsSync(word) && !inside(word, cwd) && !inside(word, tmpDir)).map((word) => path.relative(root, path.dirname(word)));
    if (fromRoot.length) await folder.copy(root, 'socklab', ['package.json', ...new Set(fromRoot)]);
  }
}
