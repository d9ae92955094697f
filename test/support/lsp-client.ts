// Just enough of a Language Server Protocol client to let a real language server (yaml-language-server)
// check documents in a test: Content-Length framing over the child's stdio, requests matched to their
// answers by id, and the diagnostics the server publishes. The server's own requests (registering
// capabilities and the like) are answered with null, so it never waits on us.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  severity?: number;
  source?: string;
}

interface LspMessage {
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { message: string };
}

export class LspClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  private readonly published = new Map<string, LspDiagnostic[]>();
  private readonly waiting = new Map<string, (diagnostics: LspDiagnostic[]) => void>();
  readonly stderr: string[] = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    child.on('exit', () => {
      for (const { reject } of this.pending.values()) reject(new Error(`language server exited; stderr: ${this.stderr.join('')}`));
      this.pending.clear();
    });
  }

  static start(command: string, args: string[]): LspClient {
    return new LspClient(spawn(command, args, { stdio: 'pipe' }));
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    const answer = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.send({ id, method, params });
    return answer;
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** The diagnostics the server publishes for `uri` (already published, or the next ones). */
  diagnostics(uri: string, timeoutMs: number): Promise<LspDiagnostic[]> {
    const already = this.published.get(uri);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(uri, (diagnostics) => {
        clearTimeout(timer);
        resolve(diagnostics);
      });
    });
  }

  /** Asks the server to shut down, and kills it if it has not gone within a second. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const killTimer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    try {
      await Promise.race([this.request('shutdown', null), exited]);
      this.notify('exit', null);
    } catch {
      this.child.kill('SIGKILL');
    }
    await exited;
    clearTimeout(killTimer);
  }

  private send(message: LspMessage): void {
    const body = JSON.stringify({ jsonrpc: '2.0', ...message });
    if (this.child.stdin.writable) this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString();
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.handle(JSON.parse(body) as LspMessage);
    }
  }

  private handle(message: LspMessage): void {
    if (message.method !== undefined && message.id !== undefined) {
      this.send({ id: message.id, result: null });
    } else if (message.method === 'textDocument/publishDiagnostics') {
      const { uri, diagnostics } = message.params as { uri: string; diagnostics: LspDiagnostic[] };
      this.published.set(uri, diagnostics);
      this.waiting.get(uri)?.(diagnostics);
      this.waiting.delete(uri);
    } else if (typeof message.id === 'number') {
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) pending?.reject(new Error(message.error.message));
      else pending?.resolve(message.result);
    }
  }
}
