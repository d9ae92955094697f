// One tcpdump writing one experiment's packets to a pcap file. Starting resolves only once tcpdump says
// it is listening (its filter is attached by then), and stopping makes it write out everything it has.
// A missing tcpdump or missing permission is a "skipped" capture, any other trouble a "failed" one:
// outcomes are data, so neither startCapture nor stop() throws.
import { spawn, type ChildProcess } from 'node:child_process';
import { liveGroups } from '../process/live-groups.js';
import { CaptureMarker } from './capture-marker.js';
import { buildCaptureFilter } from './tcpdump-filter.js';
import { describeExit, lastLine, statistic, tcpdumpTrouble, TCPDUMP_NOT_FOUND } from './tcpdump-messages.js';

export interface CaptureOptions {
  /** Interface to capture on. Default `lo`. */
  interface?: string;
  /** The experiment's ports: their TCP/UDP traffic and the ICMP errors quoting them are captured (`all`: everything). */
  ports: number[] | 'all';
  /** Only these hosts (IP addresses), when given. */
  hosts?: string[];
  /** Absolute path of the classic pcap file to write. */
  file: string;
  /** Run tcpdump inside this network namespace (`ip netns exec NAME tcpdump …`). */
  netns?: string;
  /** The tcpdump program. Default `tcpdump` (found on PATH). */
  tcpdumpPath?: string;
  /** How long tcpdump may take to start listening. Default 5000 ms. */
  startTimeoutMs?: number;
  /** How long tcpdump may take to exit after SIGINT before it is killed. Default 3000 ms. */
  stopTimeoutMs?: number;
  /** How long stop() waits for tcpdump to write out the packets it has (see capture-marker.ts). Default 1000 ms. */
  flushTimeoutMs?: number;
  /** tcpdump's capture buffer (-B) in KiB: kernel memory held while capturing. Default 8192 (8 MiB). */
  bufferSizeKiB?: number;
}

export const DEFAULT_BUFFER_KIB = 8192;

export type CaptureStopResult =
  | {
      ok: true;
      file: string;
      /** Packets in the file (tcpdump's count, without the flush marker). */
      packetsCaptured: number;
      packetsDropped: number;
      /** Whether stop() saw tcpdump write everything out before stopping it (false: the last packets may be missing). */
      flushConfirmed: boolean;
    }
  | { ok: false; status: 'skipped' | 'failed'; reason: string; /** Set when the file may still be worth reading. */ file?: string };

export interface CaptureSession {
  readonly status: 'capturing' | 'skipped' | 'failed';
  /** Why the capture is skipped or failed, with what to do about it. */
  readonly reason?: string;
  readonly file: string;
  readonly interface: string;
  /** The experiment's filter (tcpdump is also given a clause for the flush marker). */
  readonly filter: string;
  /** Stops tcpdump (SIGINT, SIGKILL after the deadline) and reports what it wrote. Safe to call twice. */
  stop(): Promise<CaptureStopResult>;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export async function startCapture(options: CaptureOptions): Promise<CaptureSession> {
  const networkInterface = options.interface ?? 'lo';
  let filter: string;
  try {
    filter = buildCaptureFilter({ ports: options.ports, hosts: options.hosts });
  } catch (error) {
    return notCapturing('failed', (error as Error).message, options.file, networkInterface, '');
  }
  // The marker travels over this namespace's loopback, so it is only seen by a capture that includes it.
  const marker = !options.netns && ['lo', 'any'].includes(networkInterface) ? await CaptureMarker.open() : undefined;
  const tcpdumpFilter = marker ? `(${filter}) or (${marker.filter})` : filter;
  // -U: write each packet at once; --immediate-mode: hand each packet over at once instead of in blocks
  // (else the last ones are lost on SIGINT); -B: in immediate mode each ring slot holds one packet of up
  // to the MTU, 64 KiB on lo, so tcpdump's default 2 MiB ring drops packets of a quick dialog; -Z root
  // (as root): keep the file owned by whoever runs socklab instead of the tcpdump user.
  const bufferKiB = String(options.bufferSizeKiB ?? DEFAULT_BUFFER_KIB);
  const tcpdumpArgs = ['-i', networkInterface, '-U', '--immediate-mode', '-B', bufferKiB, '-n', '-s', '0', '-w', options.file];
  if (process.getuid?.() === 0) tcpdumpArgs.push('-Z', 'root');
  tcpdumpArgs.push(tcpdumpFilter);
  const tcpdump = options.tcpdumpPath ?? 'tcpdump';
  const [command, ...args] = options.netns ? ['ip', 'netns', 'exec', options.netns, tcpdump, ...tcpdumpArgs] : [tcpdump, ...tcpdumpArgs];
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  if (child.pid !== undefined) liveGroups.add(child.pid);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  const exited = new Promise<Exit>((resolve) => {
    // 'close' rather than 'exit': tcpdump's closing statistics must have been read from stderr.
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  }).then((exit) => {
    if (child.pid !== undefined) liveGroups.delete(child.pid);
    return exit;
  });

  const session = await new Promise<CaptureSession>((resolve) => {
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      const reason = `tcpdump did not start capturing within ${options.startTimeoutMs ?? 5000}ms${lastLine(stderr)}`;
      resolve(notCapturing('failed', reason, options.file, networkInterface, filter));
    }, options.startTimeoutMs ?? 5000);
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      if (!/listening on /.test(stderr)) return;
      clearTimeout(timer);
      resolve(runningSession(child, exited, () => stderr, { ...options, interface: networkInterface }, filter, marker));
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code !== 'ENOENT') {
        resolve(notCapturing('failed', `cannot start ${command}: ${error.message}`, options.file, networkInterface, filter));
      } else {
        const reason = options.netns ? `ip not found: install it (apt-get install iproute2) to capture in netns ${options.netns}` : TCPDUMP_NOT_FOUND;
        resolve(notCapturing('skipped', reason, options.file, networkInterface, filter));
      }
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      const trouble = tcpdumpTrouble(stderr, options.file);
      const reason = trouble?.reason ?? `tcpdump exited before capturing (${describeExit(exit)})${lastLine(stderr)}`;
      // After a resolve above this does nothing: a promise settles once.
      resolve(notCapturing(trouble?.status ?? 'failed', reason, options.file, networkInterface, filter));
    });
  });
  if (session.status !== 'capturing') marker?.close();
  return session;
}

function runningSession(
  child: ChildProcess,
  exited: Promise<Exit>,
  stderr: () => string,
  options: CaptureOptions & { interface: string },
  filter: string,
  marker: CaptureMarker | undefined,
): CaptureSession {
  let stopping: Promise<CaptureStopResult> | undefined;
  let exitedEarly: Exit | undefined;
  void exited.then((exit) => {
    if (!stopping) exitedEarly = exit;
  });
  const stop = async (): Promise<CaptureStopResult> => {
    try {
      return await stopTcpdump();
    } finally {
      marker?.close();
    }
  };
  const stopTcpdump = async (): Promise<CaptureStopResult> => {
    if (exitedEarly) {
      return { ok: false, status: 'failed', reason: `tcpdump stopped during the experiment (${describeExit(exitedEarly)})${lastLine(stderr())}`, file: options.file };
    }
    const flushConfirmed = marker ? await marker.flush(options.file, options.flushTimeoutMs ?? 1000) : false;
    killGroup(child, 'SIGINT');
    const stopTimeoutMs = options.stopTimeoutMs ?? 3000;
    const exit = await Promise.race([exited, delay(stopTimeoutMs).then(() => null)]);
    if (!exit) {
      killGroup(child, 'SIGKILL');
      await exited;
      return { ok: false, status: 'failed', reason: `tcpdump did not stop within ${stopTimeoutMs}ms of SIGINT and was killed; the file may lack the last packets`, file: options.file };
    }
    const removed = marker ? await marker.removeFrom(options.file).catch(() => 0) : 0;
    const text = stderr();
    return {
      ok: true,
      file: options.file,
      packetsCaptured: Math.max(0, statistic(text, /(\d+) packets? captured/) - removed),
      packetsDropped: statistic(text, /(\d+) packets? dropped by kernel/),
      flushConfirmed,
    };
  };
  return {
    status: 'capturing',
    file: options.file,
    interface: options.interface,
    filter,
    stop: () => (stopping ??= stop()),
  };
}

function notCapturing(status: 'skipped' | 'failed', reason: string, file: string, networkInterface: string, filter: string): CaptureSession {
  return { status, reason, file, interface: networkInterface, filter, stop: async () => ({ ok: false, status, reason }) };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
