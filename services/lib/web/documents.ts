import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { candidatePaths, openInsideRoot } from './document-root.js';
import { FileCache, identityOf, sameIdentity } from './file-cache.js';
import { FreshStats } from './fresh-stat.js';

// The documents under the root as the server answers with them: small files as bytes (from the
// cache when a fresh stat shows them unchanged, else read now and offered to the cache), larger
// ones as an open handle to stream. The safety checks (realpath inside the root, O_NOFOLLOW) are
// document-root's, made whenever a file is opened; a cache entry stands only for the same inode.

export type FoundDocument =
  /** `fileName`: the path as requested (before symlinks are followed); its extension picks the Content-Type. */
  | { kind: 'bytes'; bytes: Buffer; lastModified: string; fileName: string }
  /** The caller streams `size` bytes and closes the handle. */
  | { kind: 'file'; handle: FileHandle; stats: Stats; fileName: string }
  | { kind: 'not-found' }
  | { kind: 'forbidden'; reason: string };

export class DocumentStore {
  constructor(
    private readonly realRoot: string,
    private readonly cache = new FileCache(),
    private readonly stats = new FreshStats(),
  ) {}

  /** Never rejects for a missing or forbidden file; rejects only on unexpected file system errors. */
  find(segments: string[]): Promise<FoundDocument> {
    const candidates = candidatePaths(this.realRoot, segments);
    return candidates.length === 1 ? this.findCandidate(candidates[0]!) : this.findFirst(candidates);
  }

  private async findFirst(candidates: string[]): Promise<FoundDocument> {
    for (const candidate of candidates) {
      const document = await this.findCandidate(candidate);
      if (document.kind !== 'not-found') return document;
    }
    return { kind: 'not-found' };
  }

  /** A cache hit costs one promise, settled after the turn's shared stat: no async function layers. */
  private findCandidate(candidate: string): Promise<FoundDocument> {
    const cached = this.cache.get(candidate);
    if (!cached) return this.readCandidate(candidate);
    return this.stats.stat(candidate).then((now) => {
      if (now.ok && sameIdentity(cached.identity, identityOf(now.stats))) {
        return { kind: 'bytes', bytes: cached.bytes, lastModified: cached.lastModified, fileName: candidate };
      }
      this.cache.delete(candidate);
      return this.readCandidate(candidate);
    });
  }

  private async readCandidate(candidate: string): Promise<FoundDocument> {
    const opened = await openInsideRoot(this.realRoot, candidate);
    if (opened.kind !== 'file' || opened.stats.size > this.cache.maxFileBytes) return opened;
    try {
      const bytes = await readUpTo(opened.handle, opened.stats.size);
      this.cache.offer(candidate, bytes, opened.stats, await opened.handle.stat());
      return { kind: 'bytes', bytes, lastModified: opened.stats.mtime.toUTCString(), fileName: candidate };
    } finally {
      await opened.handle.close();
    }
  }
}

/**
 * The first `size` bytes, or fewer if the file shrank meanwhile: the response's Content-Length is
 * the length of what was read, so it is true even then.
 */
async function readUpTo(handle: FileHandle, size: number): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === size ? bytes : bytes.subarray(0, filled);
}
