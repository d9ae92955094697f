import type { Stats } from 'node:fs';

// The bytes of small files, kept in memory so that a hit costs one stat instead of realpath, open,
// fstat, read and close (five trips through the thread pool). An entry is served only while a fresh
// stat of its path shows the same file, unchanged: same device and inode (not replaced, not a
// symlink swapped in), same size, same mtime and ctime (not written, not chmod'ed).
//
// Timestamps tick coarsely (a few ms on Linux, 2 s on FAT): a file written twice within one tick,
// keeping its size, keeps its stat too. So a file is cached only once its mtime and ctime are
// `settleMs` old, the way git treats "racily clean" files; until then it is read again each time.

export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

export interface CachedFile {
  bytes: Buffer;
  identity: FileIdentity;
  /** Last-Modified, formatted once. */
  lastModified: string;
}

export interface FileCacheOptions {
  /** Larger files are streamed from disk at each request (default 256 KiB). */
  maxFileBytes?: number;
  /** The least recently used entries go past this total (default 32 MiB). */
  maxTotalBytes?: number;
  /** How old a file's mtime and ctime must be before it is cached (default 2 s). */
  settleMs?: number;
  /** The clock, in ms since the epoch; tests move it. */
  now?: () => number;
}

export function identityOf(stats: Stats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

export class FileCache {
  readonly maxFileBytes: number;
  private readonly maxTotalBytes: number;
  private readonly settleMs: number;
  private readonly now: () => number;
  /** Map order is use order: the first entry is the least recently used. */
  private readonly entries = new Map<string, CachedFile>();
  private totalBytes = 0;

  constructor(options: FileCacheOptions = {}) {
    this.maxFileBytes = options.maxFileBytes ?? 256 * 1024;
    this.maxTotalBytes = options.maxTotalBytes ?? 32 * 1024 * 1024;
    this.settleMs = options.settleMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  /** The entry for `path`, unchecked: the caller compares its identity with a fresh stat. */
  get(path: string): CachedFile | undefined {
    const entry = this.entries.get(path);
    if (entry) {
      this.entries.delete(path);
      this.entries.set(path, entry);
    }
    return entry;
  }

  delete(path: string): void {
    const entry = this.entries.get(path);
    if (!entry) return;
    this.entries.delete(path);
    this.totalBytes -= entry.bytes.length;
  }

  /**
   * Keeps `bytes` read from `path` between the stats `before` and `after`, when they show the same
   * settled file and all of it was read. Returns whether it was kept.
   */
  offer(path: string, bytes: Buffer, before: Stats, after: Stats): boolean {
    const identity = identityOf(after);
    const settledBefore = this.now() - this.settleMs;
    const cacheable =
      sameIdentity(identityOf(before), identity) &&
      bytes.length === identity.size &&
      identity.size <= this.maxFileBytes &&
      identity.size <= this.maxTotalBytes &&
      identity.mtimeMs < settledBefore &&
      identity.ctimeMs < settledBefore;
    this.delete(path);
    if (!cacheable) return false;
    this.entries.set(path, { bytes, identity, lastModified: after.mtime.toUTCString() });
    this.totalBytes += bytes.length;
    for (const [oldest, entry] of this.entries) {
      if (this.totalBytes <= this.maxTotalBytes) break;
      this.entries.delete(oldest);
      this.totalBytes -= entry.bytes.length;
    }
    return true;
  }
}
