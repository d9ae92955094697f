// Writes a zip archive with yazl. Node has zlib but no zip container; yazl is one small, long-kept
// package (with buffer-crc32) that stores Unix modes, so run_autograder and setup.sh stay executable
// once unpacked, and takes the modification time we give, so every entry can have the same one.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export interface ZipEntry {
  /** Path inside the archive, with forward slashes and no leading slash. */
  name: string;
  /** A file to copy in, or the content itself. */
  source: { file: string } | { content: string };
  executable?: boolean;
}

/** Writes `entries` to `file` atomically (a temporary file renamed over it): a reader never sees half an archive. */
export async function writeZip(file: string, entries: readonly ZipEntry[], mtime: Date): Promise<void> {
  const zip = new ZipFile();
  // yazl reports an unreadable file on the ZipFile itself; ending the stream with it fails the pipeline.
  zip.on('error', (error: Error) => zip.outputStream.destroy(error));
  for (const entry of entries) {
    const options = { mtime, mode: entry.executable ? 0o100755 : 0o100644 };
    if ('file' in entry.source) zip.addFile(entry.source.file, entry.name, options);
    else zip.addBuffer(Buffer.from(entry.source.content), entry.name, options);
  }
  zip.end();
  const partial = `${file}.${process.pid}.partial`;
  try {
    await pipeline(zip.outputStream, createWriteStream(partial));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
