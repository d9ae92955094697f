// `socklab merge DIR…`: combines the per-student results.json of several shards (a CI matrix) into
// one gradebook (grades.csv) and class overview (class.html). Each student's report folder is copied
// beside them, so the merged folder is laid out as one `grade --class` run would have written it: its
// links work wherever the folder goes (a CI artifact, a web server), without the shards.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../model/result.js';
import { EXIT_CODES, SocklabError } from '../errors.js';
import { buildGradebook, gradebookCsv, type GradedStudent } from '../grade/gradebook.js';
import { renderClassReport } from '../grade/class-report.js';

interface ShardStudent extends GradedStudent {
  /** Their report folder in the shard. */
  source: string;
  /** The folder's name, kept in the merged folder. */
  folderName: string;
}

export function mergeCommand(folders: string[], options: { out: string }): number {
  const students: ShardStudent[] = [];
  const seen = new Map<string, string>();
  const folderOwners = new Map<string, string>();
  for (const folder of folders) {
    if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new SocklabError('NO_SUCH_FOLDER', `not a folder: ${folder}`, EXIT_CODES.specInvalid);
    for (const name of readdirSync(folder).sort()) {
      const source = path.join(folder, name);
      const file = path.join(source, 'results.json');
      if (!statSync(source).isDirectory() || !existsSync(file)) continue;
      const run = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
      const student = run.submission?.student ?? name;
      if (seen.has(student)) throw new SocklabError('DUPLICATE_STUDENT', `${student} appears in both ${seen.get(student)} and ${folder}: were the shards overlapping?`, EXIT_CODES.specInvalid);
      const owner = folderOwners.get(name);
      if (owner !== undefined) throw new SocklabError('DUPLICATE_STUDENT', `${student} (${source}) and ${owner} have the same report folder name "${name}": merge them into different folders`, EXIT_CODES.specInvalid);
      seen.set(student, folder);
      folderOwners.set(name, student);
      students.push({ student, run, page: `${encodeURIComponent(name)}/index.html`, source, folderName: name });
    }
  }
  if (students.length === 0) throw new SocklabError('NOTHING_TO_MERGE', `no */results.json under ${folders.join(', ')}`, EXIT_CODES.specInvalid);
  const copies = students.map(({ source, folderName }) => ({ source: path.resolve(source), target: path.resolve(options.out, folderName) }));
  const shards = folders.map((folder) => path.resolve(folder));
  for (const { target } of copies) {
    // Replacing a student's folder must never remove a shard being read (every report is one level inside its shard).
    if (shards.some((shard) => !path.relative(target, shard).startsWith('..'))) {
      throw new SocklabError('MERGE_OVER_SHARD', `merging into ${options.out} would replace ${target}, which holds a shard being merged: choose another --out`, EXIT_CODES.specInvalid);
    }
  }
  mkdirSync(options.out, { recursive: true });
  for (const { source, target } of copies) {
    if (target === source) continue; // --out is one of the shards: the report is in place already
    rmSync(target, { recursive: true, force: true });
    cpSync(source, target, { recursive: true });
  }
  const book = buildGradebook(students);
  writeFileSync(path.join(options.out, 'grades.csv'), gradebookCsv(book));
  writeFileSync(path.join(options.out, 'class.html'), renderClassReport(book, `socklab class report (${folders.length} ${folders.length === 1 ? 'shard' : 'shards'} merged)`));
  process.stdout.write(`merged ${students.length} students from ${folders.length} folder(s) into ${path.join(options.out, 'grades.csv')} and class.html, with their reports\n`);
  return EXIT_CODES.passed;
}
