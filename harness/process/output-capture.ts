// Captures one output stream of an untrusted program: keeps the first `capBytes`, counts the rest,
// and never stops draining (a program blocked on a full pipe would look hung for the wrong reason).
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';

export const DEFAULT_OUTPUT_CAP_BYTES = 4 * 1024 * 1024;

type LineListener = (line: string) => void;

export class OutputCapture {
  private readonly chunks: Buffer[] = [];
  private keptBytes = 0;
  private partialLine = '';
  private readonly lineListeners = new Set<LineListener>();
  totalBytes = 0;

  constructor(private readonly capBytes: number = DEFAULT_OUTPUT_CAP_BYTES) {}

  attach(stream: Readable | null | undefined): void {
    if (!stream) return;
    stream.on('data', (chunk: Buffer) => this.push(chunk));
    stream.on('error', () => undefined);
  }

  push(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    const room = this.capBytes - this.keptBytes;
    if (room > 0) {
      const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(kept);
      this.keptBytes += kept.length;
    }
    if (this.lineListeners.size > 0) this.emitLines(chunk);
  }

  /** Calls `listener` for every complete line from now on (used by readiness on a stdout pattern). */
  onLine(listener: LineListener): () => void {
    this.lineListeners.add(listener);
    // Lines already printed count too: a service may have printed its ready line before anyone listened.
    for (const line of this.text().split('\n').slice(0, -1)) listener(line);
    return () => this.lineListeners.delete(listener);
  }

  get truncated(): boolean {
    return this.totalBytes > this.keptBytes;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.keptBytes);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }

  /** Base64 of the kept bytes when they are not valid UTF-8, so exact byte checks stay possible. */
  base64IfBinary(): string | undefined {
    const bytes = this.bytes();
    return isUtf8(bytes) ? undefined : bytes.toString('base64');
  }

  private emitLines(chunk: Buffer): void {
    const lines = (this.partialLine + chunk.toString('utf8')).split('\n');
    this.partialLine = lines.pop() ?? '';
    if (this.partialLine.length > 64 * 1024) this.partialLine = this.partialLine.slice(-64 * 1024);
    for (const line of lines) for (const listener of this.lineListeners) listener(line);
  }
}
