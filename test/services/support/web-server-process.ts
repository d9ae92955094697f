import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The reference web server as a real child process on a real port, spoken to with raw sockets (to
// send exactly the bytes an attacker or a hand-typed request would). Shared by the web server's test
// files; whatever a test starts or opens is ended by cleanUpWebServerTests() in afterEach.

const SERVER = fileURLToPath(new URL('../../../services/web-server.js', import.meta.url));
export const BUNDLED_ROOT = fileURLToPath(new URL('../../../../services/www/', import.meta.url));
export const READY_LINE = /^web-server listening on 127\.0\.0\.1:(\d+) \(root (.+)\)$/m;

export interface WebServer {
  child: ChildProcess;
  port: number;
  url(path: string): string;
  stdout(): string;
  stderr(): string;
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export interface RawResponse {
  statusLine: string;
  headers: Record<string, string>;
  body: Buffer;
  raw: Buffer;
}

const children = new Set<ChildProcess>();
const temporaryFolders: string[] = [];
const openSockets: Socket[] = [];

export function spawnServer(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [SERVER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

export async function startWebServer(args: string[] = []): Promise<WebServer> {
  const { child, stdout, stderr } = spawnServer(['0', ...args]);
  const waitForStdout = (pattern: RegExp, timeoutMs = 5000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const match = pattern.exec(stdout());
        if (match) return resolve(match);
        if (Date.now() - started > timeoutMs) {
          return reject(new Error(`stdout did not match ${pattern} within ${timeoutMs}ms; stdout: ${JSON.stringify(stdout())} stderr: ${JSON.stringify(stderr())}`));
        }
        setTimeout(check, 10);
      };
      check();
    });
  const port = Number((await waitForStdout(READY_LINE))[1]);
  return { child, port, url: (path) => `http://127.0.0.1:${port}${path}`, stdout, stderr, waitForStdout };
}

/** A socket to the server that afterEach destroys. */
export function openConnection(port: number): Socket {
  const socket = connect({ host: '127.0.0.1', port });
  openSockets.push(socket);
  return socket;
}

/** Sends `request` as is and collects everything until the server closes; `halfClose` sends FIN after it. */
export function rawExchange(port: number, request: string | Buffer, options: { halfClose?: boolean } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = openConnection(port);
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no close from the server within 10s')));
    socket.on('connect', () => (options.halfClose ? socket.end(request) : socket.write(request)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

export function splitResponse(raw: Buffer): RawResponse {
  const headEnd = raw.indexOf('\r\n\r\n');
  expect(headEnd, `a blank line ending the head in ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`).to.be.greaterThan(0);
  const [statusLine, ...fieldLines] = raw.toString('latin1', 0, headEnd).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of fieldLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { statusLine: statusLine!, headers, body: raw.subarray(headEnd + 4), raw };
}

export async function temporaryFolder(): Promise<string> {
  const folder = await realpath(await mkdtemp(join(tmpdir(), 'socklab-web-')));
  temporaryFolders.push(folder);
  return folder;
}

/** Waits for 'close', not 'exit', so that everything the child wrote has been read. */
export function waitForExit(child: ChildProcess): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }> {
  if (child.stdout?.closed !== false && (child.exitCode !== null || child.signalCode !== null)) {
    return Promise.resolve({ exitCode: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('close', (exitCode, signal) => resolve({ exitCode, signal })));
}

export async function cleanUpWebServerTests(): Promise<void> {
  for (const socket of openSockets.splice(0)) socket.destroy();
  await Promise.all(
    [...children].map((child) => {
      const exited = waitForExit(child);
      child.kill('SIGKILL');
      return exited;
    }),
  );
  await Promise.all(temporaryFolders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}
