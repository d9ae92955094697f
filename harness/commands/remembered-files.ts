// Spec and lab files parsed and validated by an earlier run of the CLI, kept in socklab's cache folder
// (bin/socklab.js chooses it: dist/.cache, or the user's own under the system's temporary folder).
// Parsing YAML with positions and validating every step was a fifth of what socklab did before a run
// started. An entry is named by a hash of what the result depends on: this build of socklab, the
// file's path (as given and resolved: locations and {{specDir}} come from it), its bytes, and for a
// spec file the lab's role names. Only files without problems are kept: every error is found by the
// full loader, with its file:line:col. Without the launcher's cache folder (socklab's modules
// imported by a test or a program of its own), nothing is kept and every file is parsed.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { loadLab } from '../lab/load-lab.js';
import type { LabDefinition } from '../lab/lab-schema.js';
import { loadSpecFilesOrThrow, type LoadOptions } from '../spec/load-spec.js';
import type { ExperimentSpec } from '../spec/spec-types.js';

interface LauncherCache {
  folder: string;
  /** What identifies the code that parsed the files (the bundle's or the build's time, Node's version). */
  build: string;
}

/** Entries kept at most; past it, the folder is emptied before the next one is written. */
const MAX_ENTRIES = 2000;

export function rememberedLab(file: string): LabDefinition {
  const bytes = readIfPresent(file);
  // An unreadable lab file gets loadLab's own error.
  if (!bytes) return loadLab(file);
  return remembered('lab', [file, path.resolve(file)], bytes, () => loadLab(file));
}

/**
 * The experiments of `files`, each file's from the cache when it was loaded before. Any problem, in
 * a file or between files (an id defined twice), is left to the full loader, which reports them all.
 */
export function rememberedSpecs(files: string[], options: LoadOptions, texts: ReadonlyMap<string, Buffer> = new Map()): ExperimentSpec[] {
  const roles = [...options.roles].sort().join('\n');
  try {
    const experiments = files.flatMap((file) => {
      const bytes = texts.get(file) ?? readFileSync(file);
      return remembered('spec', [file, path.resolve(file), roles], bytes, () => loadSpecFilesOrThrow([file], options));
    });
    if (new Set(experiments.map((experiment) => experiment.id)).size === experiments.length) return experiments;
  } catch {
    // Reported below, with the problems of every file.
  }
  return loadSpecFilesOrThrow(files, options);
}

function remembered<T>(kind: string, key: readonly string[], bytes: Buffer, load: () => T): T {
  const cache = (globalThis as Record<symbol, LauncherCache | undefined>)[Symbol.for('socklab.cache')];
  if (!cache) return load();
  const hash = createHash('sha256').update([cache.build, kind, ...key].join('\0')).update('\0').update(bytes).digest('hex');
  const folder = path.join(cache.folder, 'specs');
  const entry = path.join(folder, `${hash}.v8`);
  const kept = readIfPresent(entry);
  if (kept) {
    try {
      return v8.deserialize(kept) as T;
    } catch {
      // A damaged entry is parsed again and replaced.
    }
  }
  const value = load();
  keep(folder, entry, v8.serialize(value));
  return value;
}

/** Written under a temporary name and renamed, so that runs at the same time never read half an entry. */
function keep(folder: string, entry: string, data: Buffer): void {
  try {
    mkdirSync(folder, { recursive: true });
    if (readdirSync(folder).length >= MAX_ENTRIES) rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    const temporary = `${entry}.${process.pid}`;
    writeFileSync(temporary, data);
    renameSync(temporary, entry);
  } catch {
    // A cache that cannot be written only makes the next run parse the file again.
  }
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
