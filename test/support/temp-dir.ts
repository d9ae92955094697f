// Temporary folders that the test removes afterwards.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class TempDir {
  readonly path = mkdtempSync(path.join(os.tmpdir(), 'socklab-test-'));

  write(relative: string, text: string): string {
    const file = path.join(this.path, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
