// Reading a zip back with a reader independent of the one that wrote it: CPython's zipfile module
// (python3 is on every machine the tests run on: the sample submissions are Python). It checks every
// entry's CRC, lists names with their Unix modes, and unpacks with those modes, as unzip would.
import { spawnSync } from 'node:child_process';

export interface ZipListing {
  name: string;
  /** Unix file type and permission bits (0o100755 for an executable file). */
  mode: number;
}

const reader = `
import json, os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:
    bad = archive.testzip()
    if bad:
        sys.exit('bad CRC in ' + bad)
    for info in archive.infolist():
        if len(sys.argv) > 2:
            path = archive.extract(info, sys.argv[2])
            if info.external_attr >> 16:
                os.chmod(path, (info.external_attr >> 16) & 0o7777)
    print(json.dumps([{'name': info.filename, 'mode': info.external_attr >> 16} for info in archive.infolist()]))
`;

/** The entries of `file` (unpacked into `into` when given), or null when python3 is not installed. */
export function readZip(file: string, into?: string): ZipListing[] | null {
  const run = spawnSync('python3', ['-c', reader, file, ...(into ? [into] : [])], { encoding: 'utf8' });
  if (run.error) return null;
  if (run.status !== 0) throw new Error(`python3 zipfile could not read ${file}: ${run.stderr}`);
  return JSON.parse(run.stdout) as ZipListing[];
}
