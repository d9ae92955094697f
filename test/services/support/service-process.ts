import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

// Runs the compiled reference programs as real child processes, the way the harness and students do,
// and makes sure every child a test starts is gone when the test ends.

export type ServiceName = 'tcp-server' | 'tcp-client' | 'udp-server' | 'udp-client';

export interface ProgramResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  durationMs: number;
}

export interface RunningServer {
  child: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout (so far or later) matches; rejects after `timeoutMs`. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const READY_LINE = /^(?:tcp|udp)-server listening on (.+):(\d+)$/m;

export function servicePath(name: ServiceName): string {
  // dist/test/services/support/ → dist/services/
  return fileURLToPath(new URL(`../../../services/${name}.js`, import.meta.url));
}

/** Tracks spawned children so afterEach can kill whatever a failing test left running. */
export class ChildProcesses {
  private readonly children = new Set<ChildProcess>();

  spawn(name: ServiceName, args: string[]): ChildProcess {
    const child = spawn(process.execPath, [servicePath(name), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  async killAll(): Promise<void> {
    const running = [...this.children].filter((child) => child.exitCode === null && child.signalCode === null);
    await Promise.all(running.map((child) => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    })));
    this.children.clear();
  }
}

/** Runs a program to completion with `stdin` (closed right away when undefined). */
export function runProgram(children: ChildProcesses, name: ServiceName, args: string[], stdin?: Buffer | string, limitMs = 10_000): Promise<ProgramResult> {
  const started = Date.now();
  const child = children.spawn(name, args);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin!.on('error', () => {}); // the program may exit before reading all of stdin
  child.stdin!.end(stdin ?? '');
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} ${args.join(' ')} did not finish within ${limitMs}ms`));
    }, limitMs);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(guard);
      resolve({ exitCode, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8'), durationMs: Date.now() - started });
    });
  });
}

/** Starts a server (on a port the system picks unless `args` says otherwise) and waits for its ready line. */
export function startServer(children: ChildProcesses, name: 'tcp-server' | 'udp-server', args: string[] = ['0']): Promise<RunningServer> {
  return untilReady(children.spawn(name, args), name, READY_LINE);
}

/**
 * Collects a started server's output and resolves once stdout shows `readyLine` (whose second group is
 * the port). Its waitForStdout gives up after `timeoutMs`, or as soon as stdout has ended without a match.
 */
export function untilReady(child: ChildProcess, name: string, readyLine: RegExp): Promise<RunningServer> {
  let stdout = '';
  let stderr = '';
  let ended = false;
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stdout!.once('end', () => (ended = true));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const waitForStdout = (pattern: RegExp, timeoutMs = 5000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const poll = setInterval(check, 10);
      const guard = setTimeout(() => fail(`within ${timeoutMs}ms`), timeoutMs);
      function check() {
        const match = pattern.exec(stdout);
        if (match) {
          clearInterval(poll);
          clearTimeout(guard);
          resolve(match);
        } else if (ended) fail('before its stdout ended');
      }
      function fail(when: string) {
        clearInterval(poll);
        clearTimeout(guard);
        reject(new Error(`${name} stdout did not match ${pattern} ${when}; stdout: ${JSON.stringify(stdout)} stderr: ${JSON.stringify(stderr)}`));
      }
      check();
    });
  return waitForStdout(readyLine).then((ready) => ({
    child,
    port: Number(ready[2]),
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout,
  }));
}

export function waitForExit(child: ChildProcess): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ exitCode: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (exitCode, signal) => resolve({ exitCode, signal })));
}

/** A TCP port that was free a moment ago: listen on port 0, note the port, close. */
export function unusedTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = address && typeof address === 'object' ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A UDP port that was free a moment ago, so datagrams sent there reach no one. */
export function unusedUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const port = socket.address().port;
      socket.close(() => resolve(port));
    });
  });
}
