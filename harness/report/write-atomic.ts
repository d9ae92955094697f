// Report files are read by CI and by graders, possibly while a run is still being written or after
// it was interrupted. Writing a temporary file in the same folder and renaming it over the target
// means a reader sees either the previous complete file or the new complete one, never half of one
// (rename is atomic only within one file system, hence the same folder).
import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomic(filePath: string, contents: string): Promise<void> {
  const directory = path.dirname(filePath);
  const temporaryPath = path.join(
    directory,
    `.${path.basename(filePath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temporaryPath, contents, 'utf8');
    await rename(temporaryPath, filePath);
  } catch (error) {
    // Leave no stray temporary file behind; the original error is the one worth reporting.
    await unlink(temporaryPath).catch(() => undefined);
    throw error;
  }
}
