// The part of yazl (a zip writer, plain JavaScript without its own types) that socklab uses.
declare module 'yazl' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  export interface EntryOptions {
    /** Stored as the entry's modification time (default: the file's, or now). */
    mtime?: Date;
    /** Unix file type and permission bits, e.g. 0o100755 (default: the file's, or 0o100664). */
    mode?: number;
    compress?: boolean;
  }

  /** Emits `error` when a file cannot be read. */
  export class ZipFile extends EventEmitter {
    readonly outputStream: Readable;
    addFile(realPath: string, metadataPath: string, options?: EntryOptions): void;
    addBuffer(buffer: Buffer, metadataPath: string, options?: EntryOptions): void;
    end(options?: { comment?: string }): void;
  }
}
