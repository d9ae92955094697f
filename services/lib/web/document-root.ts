import { constants, type Stats } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';

// Finds the file a request names under the document root, and refuses anything outside it.
//
// The request path has already lost every "..", "/" and NUL (request-target.ts), so joining its
// segments stays inside the root as text; what is left is the file system itself: a symlink inside
// the root may point anywhere. So the target is resolved with realpath and must still lie under
// realpath(root), and the resolved file is opened with O_NOFOLLOW so a symlink swapped in after the
// check is refused rather than followed.

/** Tried in order for "/". */
export const ROOT_DOCUMENTS = ['index.html', 'HelloWorld.html'];

export type Document =
  /** fileName: the path as requested (before symlinks are followed); its extension picks the Content-Type. */
  | { kind: 'file'; handle: FileHandle; stats: Stats; fileName: string }
  | { kind: 'not-found' }
  | { kind: 'forbidden'; reason: string };

/** realpath of the root folder, once at start-up; rejects when it is missing or not a folder. */
export async function resolveDocumentRoot(root: string): Promise<string> {
  const resolved = await realpath(root);
  const handle = await open(resolved, constants.O_RDONLY | constants.O_DIRECTORY);
  await handle.close();
  return resolved;
}

/** The paths to try, in order, for `segments` (already decoded and checked): the first one found is the document. */
export function candidatePaths(realRoot: string, segments: string[]): string[] {
  return segments.length > 0 ? [join(realRoot, ...segments)] : ROOT_DOCUMENTS.map((name) => join(realRoot, name));
}

/** `candidate` is one of candidatePaths(realRoot, …). The caller closes the handle. */
export async function openInsideRoot(realRoot: string, candidate: string): Promise<Document> {
  let target: string;
  try {
    target = await realpath(candidate);
  } catch (error) {
    return fileSystemRefusal(error);
  }
  const rootPrefix = realRoot.endsWith(sep) ? realRoot : realRoot + sep;
  if (!target.startsWith(rootPrefix)) {
    // Either the root itself (a folder, never served) or a symlink leading out of the root.
    if (target === realRoot) return { kind: 'not-found' };
    return { kind: 'forbidden', reason: 'the path leads outside the document root' };
  }
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer and hold a thread.
    handle = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return fileSystemRefusal(error);
  }
  const stats = await handle.stat().catch(async (error: unknown) => {
    await handle.close();
    throw error;
  });
  if (!stats.isFile()) {
    // Folders (no listings here), devices, FIFOs and sockets are not documents.
    await handle.close();
    return { kind: 'not-found' };
  }
  return { kind: 'file', handle, stats, fileName: candidate };
}

function fileSystemRefusal(error: unknown): Document {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'forbidden', reason: 'the server may not read this file' };
  if (code === 'ELOOP') return { kind: 'forbidden', reason: 'the path is a symbolic link loop or was replaced by a link' };
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return { kind: 'not-found' };
  throw error;
}
