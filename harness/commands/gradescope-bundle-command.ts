// `socklab gradescope-bundle`: the autograder zip to upload on Gradescope's "Configure Autograder" page.
// Gradescope wants setup.sh and run_autograder at the root of the zip and unpacks it into
// /autograder/source; beside them goes socklab as it runs: the built dist/ (so the image needs no
// TypeScript build), package.json and the lock file (setup.sh installs the production dependencies),
// bin/, the reference web files the specs read, and the chosen specs and lab file under specs/, where
// run_autograder grades everything. No tests, benches, sources or node_modules.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { EXIT_CODES, SocklabError } from '../errors.js';
import { LAB_FILE_NAMES } from '../spec/find-spec-files.js';
import { defaults, fixturesDir, loadLabAndSpecs, root, version } from './common.js';
import { filesUnder } from './files-under.js';
import { writeZip, type ZipEntry } from './zip-writer.js';

export interface GradescopeBundleOptions {
  /** Spec files or folders (default: socklab's specs/). */
  specs: string[];
  lab: string;
  /** The zip to write (default autograder.zip). */
  out: string;
  /** false (--no-browser): setup.sh installs no Chromium, and browser experiments are skipped when grading. */
  browser: boolean;
}

/** socklab-bundle.json at the root of the zip: what it holds, and whether setup.sh installs Chromium. */
export interface BundleManifest {
  socklab: string;
  createdAt: string;
  /** The specs as they are in the zip. */
  specs: string[];
  experiments: number;
  browser: boolean;
}

export const manifestName = 'socklab-bundle.json';

export async function gradescopeBundleCommand(options: GradescopeBundleOptions): Promise<number> {
  const given = options.specs.length ? options.specs : [defaults.specs];
  const { experiments } = loadLabAndSpecs(given, options.lab);
  // `grade` leaves out experiments tagged reference; they would grade nothing on Gradescope.
  const graded = experiments.filter((experiment) => !experiment.tags.includes('reference'));
  if (graded.length === 0) throw new SocklabError('NOTHING_SELECTED', `no experiment to grade in ${given.join(', ')} (grade leaves out those tagged reference)`, EXIT_CODES.specInvalid);
  const usesBrowser = graded.some((experiment) => experiment.steps.some((step) => step.kind === 'browser'));
  const manifest: BundleManifest = {
    socklab: version,
    createdAt: new Date().toISOString(),
    specs: given.map(specDestination),
    experiments: graded.length,
    browser: usesBrowser && options.browser,
  };
  const entries = uniqueEntries([
    ...socklabEntries(),
    { name: 'specs/lab.yaml', source: { file: options.lab } },
    ...given.flatMap((spec) => specEntries(spec)),
    ...(existsSync(fixturesDir) ? filesUnder(fixturesDir).map((file) => ({ name: `specs/fixtures/${zipPath(path.relative(fixturesDir, file))}`, source: { file } })) : []),
    { name: manifestName, source: { content: `${JSON.stringify(manifest, null, 2)}\n` } },
  ]);
  const out = path.resolve(options.out);
  await writeZip(out, entries, new Date(manifest.createdAt));
  const size = (statSync(out).size / 1024 / 1024).toFixed(1);
  const browser = usesBrowser ? (options.browser ? ', and Chromium for the browser experiments' : '; no Chromium (--no-browser): browser experiments will be skipped') : '';
  process.stdout.write(
    `wrote ${path.relative(process.cwd(), out) || out} (${size} MB, ${entries.length} files): socklab ${version}, ${graded.length} experiments from ${manifest.specs.join(', ')}\n` +
      `  upload it on Gradescope's Configure Autograder page (base image Ubuntu 22.04 or 24.04).\n` +
      `  setup.sh installs Node.js when the image's is older than 20.19, the compilers and tools the lab uses${browser}.\n`,
  );
  return EXIT_CODES.passed;
}

/** The scripts at the root, and what socklab needs to run: the build, its manifests, the launcher, the reference web files. */
function socklabEntries(): ZipEntry[] {
  const script = (name: string): ZipEntry => ({ name, source: { file: requireFile(path.join(root, 'gradescope', name)) }, executable: true });
  const compiled = (folder: string) => filesUnder(path.join(root, 'dist', folder)).filter((file) => file.endsWith('.js'));
  const build = path.join(root, 'dist');
  requireFile(path.join(build, 'harness', 'cli.js'));
  const entries: ZipEntry[] = [
    script('setup.sh'),
    script('run_autograder'),
    rootEntry(path.join(root, 'package.json')),
    { name: 'package-lock.json', source: { file: lockFile() } },
    { ...rootEntry(path.join(root, 'bin', 'socklab.js')), executable: true },
    ...[...compiled('harness'), ...compiled('services')].map((file) => rootEntry(file)),
    ...filesUnder(path.join(root, 'services', 'www')).map((file) => rootEntry(file)),
  ];
  const validators = path.join(build, 'validators.generated.cjs');
  if (existsSync(validators)) entries.push(rootEntry(validators));
  // bin/socklab.js loads the bundle only while it is as new as the last tsc build; every entry of the
  // zip gets the same time, so a stale bundle would win there: it stays out, and the compiled modules run.
  // An installed package has no .tsbuildinfo: its bundle was built with it (scripts/prepack.mjs).
  const bundle = path.join(build, 'cli.bundle.cjs');
  const mtime = (file: string) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const lastBuild = mtime(path.join(build, '.tsbuildinfo'));
  if (existsSync(bundle) && (lastBuild === 0 || mtime(bundle) >= Math.max(lastBuild, mtime(path.join(build, 'harness', 'cli.js'))))) {
    entries.push(rootEntry(bundle));
  }
  return entries;
}

/**
 * A spec folder with everything in it (files its specs name through `{{specDir}}`), or a spec file,
 * with the other files of its folder when it names `{{specDir}}`. Lab files (lab.yaml) stay out, as
 * they do of a run: the one given by --lab is specs/lab.yaml.
 */
function specEntries(given: string): ZipEntry[] {
  const resolved = path.resolve(given);
  const destination = specDestination(given);
  const isLab = (file: string) => LAB_FILE_NAMES.has(path.basename(file));
  if (statSync(resolved).isDirectory()) {
    return filesUnder(resolved)
      .filter((file) => !isLab(file))
      .map((file) => ({ name: `${destination}/${zipPath(path.relative(resolved, file))}`, source: { file } }));
  }
  const entry: ZipEntry = { name: destination, source: { file: resolved } };
  if (!readFileSync(resolved, 'utf8').includes('specDir')) return [entry];
  const folder = path.dirname(resolved);
  const companions = filesUnder(folder).filter((file) => !/\.ya?ml$/.test(file) && !isLab(file));
  return [entry, ...companions.map((file) => ({ name: `${path.posix.dirname(destination)}/${zipPath(path.relative(folder, file))}`, source: { file } }))];
}

/**
 * setup.sh installs the production dependencies with `npm ci`, which needs the lock file. npm never
 * packs a package-lock.json at the root of a package, so an installed socklab has the copy that
 * `npm pack` put in dist/ (scripts/prepack.mjs); a clone has its own.
 */
function lockFile(): string {
  const own = path.join(root, 'package-lock.json');
  return existsSync(own) ? own : requireFile(path.join(root, 'dist', 'package-lock.json'));
}

/**
 * Where a given spec path goes in the zip: its place under the default spec folder (the course
 * folder's specs/, or socklab's own) when it is there, else specs/<its name>.
 */
function specDestination(given: string): string {
  const relative = path.relative(defaults.specs, path.resolve(given));
  const inside = !relative.startsWith('..') && !path.isAbsolute(relative);
  return inside ? zipPath(path.join('specs', relative)) : `specs/${path.basename(path.resolve(given))}`;
}

function rootEntry(file: string): ZipEntry {
  return { name: zipPath(path.relative(root, file)), source: { file } };
}

/** Two sources for one name in the zip is a mistake to report (two spec folders with the same name); one source twice is kept once. */
function uniqueEntries(entries: ZipEntry[]): ZipEntry[] {
  const byName = new Map<string, ZipEntry>();
  const sourceOf = (entry: ZipEntry) => ('file' in entry.source ? path.resolve(entry.source.file) : entry.source.content);
  for (const entry of entries) {
    const earlier = byName.get(entry.name);
    if (!earlier) byName.set(entry.name, entry);
    else if (sourceOf(earlier) !== sourceOf(entry)) {
      throw new SocklabError('BUNDLE_CONFLICT', `two files would be ${entry.name} in the zip: ${sourceOf(earlier)} and ${sourceOf(entry)}; rename one of them`, EXIT_CODES.specInvalid);
    }
  }
  return [...byName.values()];
}

function requireFile(file: string): string {
  if (!existsSync(file)) throw new SocklabError('BUNDLE_INCOMPLETE', `${file} is missing: is socklab built (npm run build)?`, EXIT_CODES.harnessError);
  return file;
}

function zipPath(relative: string): string {
  return relative.split(path.sep).join('/');
}
