// The other end's capture: tcpdump on every interface of the other machine, with the same filter as
// here, run there as any program is (ssh-program.ts: its own process group, stopped with SIGTERM, on
// which tcpdump writes out what it has; killed with everything else if socklab dies), into the
// experiment's folder there, then copied back beside the local pcap. Where tcpdump is missing or not
// permitted there, the report says that the packets were not captured on that machine.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readPcapBuffer } from '../capture/index.js';
import type { RemoteCaptureResult } from '../model/capture.js';
import type { RemoteFolder } from './remote-folder.js';
import type { SshConnection } from './ssh-connection.js';
import { SshProgram } from './ssh-program.js';
import { shellQuote } from './shell-words.js';

const START_TIMEOUT_MS = 10_000;
/** tcpdump writes out its buffer on SIGTERM; a little time for a slow machine. */
const STOP_GRACE_MS = 3_000;

export class RemoteCapture {
  private constructor(
    private readonly connection: SshConnection,
    private readonly file: string,
    /** `user@address (host name)`, as reports name the machine. */
    private readonly machine: string,
    private readonly tcpdump: SshProgram | null,
    private readonly problem: { status: 'skipped' | 'failed'; reason: string } | null,
  ) {}

  static async start(connection: SshConnection, folder: RemoteFolder, where: { host: string; tag: string }, filter: string): Promise<RemoteCapture> {
    const { facts } = connection;
    const machine = `${facts.user}@${where.host} (${facts.hostName})`;
    const file = `${folder.path}/.socklab/capture.pcap`;
    if (!facts.tools.has('tcpdump')) return new RemoteCapture(connection, file, machine, null, { status: 'skipped', reason: `tcpdump is not installed there (apt-get install tcpdump)` });
    const command = ['tcpdump', '-i', 'any', '-U', '--immediate-mode', '-n', '-s', '0', '-Z', facts.user, '-w', file, filter];
    const tcpdump = new SshProgram({ connection, folder, host: where.host, command, cwd: folder.path, localCommand: command, localCwd: folder.path, env: {}, tag: where.tag });
    const listening = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), START_TIMEOUT_MS);
      const unsubscribe = tcpdump.stderr.onLine((line) => line.includes('listening on') && finish(true));
      void tcpdump.exited.then(() => finish(false));
      function finish(ok: boolean) {
        clearTimeout(timer);
        queueMicrotask(unsubscribe);
        resolve(ok);
      }
    });
    if (listening) return new RemoteCapture(connection, file, machine, tcpdump, null);
    await tcpdump.stop();
    const said = tcpdump.stderr.text().trim().split('\n').at(-1) ?? '';
    const reason = tcpdump.spawnError ? tcpdump.spawnError.message : said || `tcpdump did not start capturing within ${START_TIMEOUT_MS / 1000} s`;
    return new RemoteCapture(connection, file, machine, null, { status: /ermission|not permitted/.test(reason) ? 'skipped' : 'failed', reason });
  }

  /** Stops tcpdump there and copies its pcap to `outputDir/fileName`. */
  async finish(outputDir: string, fileName: string): Promise<RemoteCaptureResult> {
    if (!this.tcpdump) return { host: this.machine, status: this.problem!.status, reason: `not captured on ${this.machine}: ${this.problem!.reason}` };
    try {
      await this.tcpdump.stop(STOP_GRACE_MS);
      const copied = await this.connection.exec(`exec cat ${shellQuote(this.file)}`, { timeoutMs: 60_000 });
      if (copied.exitCode !== 0) throw new Error(copied.stderr.trim() || `cat exited with ${copied.exitCode}`);
      await writeFile(path.join(outputDir, fileName), copied.stdout);
      return { host: this.machine, status: 'captured', pcapFile: fileName, packetCount: (await readPcapBuffer(copied.stdout)).records.length };
    } catch (error) {
      return { host: this.machine, status: 'failed', reason: `the capture on ${this.machine} could not be copied back: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}
