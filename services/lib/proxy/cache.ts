import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, unlinkSync, type ReadStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { describeError, errorCode } from '../common/describe-error.js';
import { findHeadEnd } from '../http/find-head.js';

// The proxy's cache on disk: one file per URL holding the whole response as the client received it
// (status line, headers, body). The file name is the SHA-256 of the normalised URL, so no URL can
// name a path outside the folder. A response is written to a temporary file and renamed into place
// once complete: rename is atomic, so a reader sees either the old entry, the new one, or none,
// never half a response, even with two proxies sharing the folder or a crash mid-write.

const MAX_STORED_HEAD_BYTES = 64 * 1024;

export interface CachedResponse {
  /** The stored head, blank line included. */
  head: Buffer;
  body: ReadStream;
  bodyBytes: number;
}

/** One response being stored while it is relayed. */
export interface CacheEntryWriter {
  write(data: Buffer): void;
  /** Moves the complete entry into place; false (and a warning) when it could not be stored. */
  commit(): Promise<boolean>;
  /** Drops the partial entry (the response was cut off or turned out not to be storable). */
  discard(): void;
}

export function cacheKey(url: URL): string {
  return createHash('sha256').update(url.href).digest('hex');
}

export class DiskCache {
  private readonly inProgress = new Set<string>();
  private nextTemporary = 0;

  /** Creates the folder if needed; throws the file system's error (EACCES, ENOTDIR…). */
  constructor(
    readonly dir: string,
    private readonly warn: (line: string) => void,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  fileFor(url: URL): string {
    return path.join(this.dir, `${cacheKey(url)}.response`);
  }

  /** The stored response for `url`, or null. A damaged entry is removed and counts as absent. */
  async open(url: URL): Promise<CachedResponse | null> {
    const file = this.fileFor(url);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') this.warn(`cache: cannot read ${file}: ${describeError(error)}`);
      return null;
    }
    try {
      const { size } = await handle.stat();
      const probe = Buffer.alloc(Math.min(size, MAX_STORED_HEAD_BYTES));
      const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
      const headEnd = findHeadEnd(probe.subarray(0, bytesRead));
      // Entries are heads this proxy serialised: "HTTP/1.1 …" and CRLF line ends throughout.
      if (headEnd < 4 || !probe.toString('latin1', 0, 9).startsWith('HTTP/1.1 ') || probe.toString('latin1', headEnd - 4, headEnd) !== '\r\n\r\n') {
        await handle.close();
        this.warn(`cache: ${file} is not a stored response; removing it`);
        await unlink(file).catch(() => {});
        return null;
      }
      // Reading through the handle we opened: a newer entry renamed over this one meanwhile does not
      // mix into what we send.
      return { head: probe.subarray(0, headEnd), body: handle.createReadStream({ start: headEnd }), bodyBytes: size - headEnd };
    } catch (error) {
      await handle.close().catch(() => {});
      this.warn(`cache: cannot read ${file}: ${describeError(error)}`);
      return null;
    }
  }

  /** Starts storing the response for `url`, beginning with its head. */
  begin(url: URL, head: Buffer): CacheEntryWriter {
    const file = this.fileFor(url);
    const temporary = `${file}.${process.pid}.${this.nextTemporary++}.tmp`;
    this.inProgress.add(temporary);
    const stream = createWriteStream(temporary, { flags: 'wx' });
    let failure: unknown = null;
    stream.on('error', (error) => (failure ??= error));
    stream.write(head);
    const removeTemporary = async () => {
      this.inProgress.delete(temporary);
      await unlink(temporary).catch(() => {});
    };
    return {
      write: (data) => {
        if (failure === null) stream.write(data);
      },
      commit: async () => {
        try {
          stream.end();
          await finished(stream);
          await rename(temporary, file);
          this.inProgress.delete(temporary);
          return true;
        } catch (error) {
          this.warn(`cache: cannot store ${file}: ${describeError(failure ?? error)}`);
          await removeTemporary();
          return false;
        }
      },
      discard: () => {
        // The file is opened asynchronously: unlinking before the stream has closed could run
        // before the open and leave the file behind.
        if (stream.closed) return void removeTemporary();
        stream.once('close', () => void removeTemporary());
        stream.destroy();
      },
    };
  }

  /** Removes entries still being written, so a stopped proxy leaves no temporary files behind. */
  discardUnfinished(): void {
    for (const temporary of this.inProgress) {
      try {
        unlinkSync(temporary);
      } catch {
        // Already gone, or never created: nothing to clean up.
      }
    }
    this.inProgress.clear();
  }
}
