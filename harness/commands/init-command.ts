// `socklab init DIR`: a course folder for an instructor, to keep in the course's own repository and
// edit there: a copy of socklab's specs (with the lab file), the two JSON schemas the specs' editor
// modelines point at, a README for the instructor, and a .gitignore for what runs write. Run from
// that folder, socklab uses its specs/ (default-paths.ts).
//
// The schemas are copied beside the specs rather than referred to in socklab's installation: the
// specs' modelines (`$schema=../../spec.schema.json`) are relative, so they resolve offline, on every
// machine the repository is cloned to, wherever socklab is installed there, or when it is not.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT_CODES, SocklabError } from '../errors.js';
import { root, version } from './common.js';
import { courseReadme } from './course-readme.js';
import { COURSE_LAB_FILE } from './default-paths.js';
import { filesUnder } from './files-under.js';

export interface InitOptions {
  /** Overwrite files that exist already (default: refuse, and write nothing). */
  force?: boolean;
}

interface CourseFile {
  /** Where it goes, relative to the course folder. */
  name: string;
  source: { file: string } | { content: string };
}

export const courseGitignore = '# What socklab writes: reports of runs and grades, and the Gradescope zip.\nreports/\nautograder.zip\n';

export function initCommand(dir: string, options: InitOptions): number {
  const target = path.resolve(dir);
  const files = courseFiles();
  const existing = files.filter((file) => existsSync(path.join(target, file.name))).map((file) => file.name);
  if (existing.length > 0 && !options.force) {
    const shown = existing.length > 5 ? `${existing.slice(0, 5).join(', ')} and ${existing.length - 5} more` : existing.join(', ');
    throw new SocklabError('INIT_WOULD_OVERWRITE', `${dir} already has ${shown}; nothing written (--force overwrites them)`, EXIT_CODES.specInvalid);
  }
  for (const file of files) {
    const destination = path.join(target, file.name);
    mkdirSync(path.dirname(destination), { recursive: true });
    if ('file' in file.source) copyFileSync(file.source.file, destination);
    else writeFileSync(destination, file.source.content);
  }
  const shownDir = path.relative(process.cwd(), target) || '.';
  const enter = shownDir === '.' ? '' : `cd ${shownDir} && `;
  const specCount = files.filter((file) => /^specs\/.*\.ya?ml$/.test(file.name) && file.name !== COURSE_LAB_FILE).length;
  process.stdout.write(
    `wrote ${shownDir === '.' ? 'this folder' : `${shownDir}/`}: specs/ (${specCount} spec files and lab.yaml, from socklab ${version}), spec.schema.json, lab.schema.json, README.md, .gitignore` +
      `${existing.length ? ` (${existing.length} files overwritten)` : ''}\n` +
      `  next: ${enter}socklab validate && socklab run; ${path.join(shownDir, 'README.md')} says more\n`,
  );
  return EXIT_CODES.passed;
}

function courseFiles(): CourseFile[] {
  const specs = path.join(root, 'specs');
  return [
    ...filesUnder(specs).map((file) => ({ name: path.posix.join('specs', ...path.relative(specs, file).split(path.sep)), source: { file } })),
    { name: 'spec.schema.json', source: { file: path.join(root, 'spec.schema.json') } },
    { name: 'lab.schema.json', source: { file: path.join(root, 'lab.schema.json') } },
    { name: 'README.md', source: { content: courseReadme(version) } },
    { name: '.gitignore', source: { content: courseGitignore } },
  ];
}
