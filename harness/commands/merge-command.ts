// `socklab merge DIR…`: combines the per-student results.json of several shards (a CI matrix) into
// one gradebook (grades.csv) and class overview (class.html).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../model/result.js';
import { EXIT_CODES, SocklabError } from '../errors.js';
import { buildGradebook, gradebookCsv, type GradedStudent } from '../grade/gradebook.js';
import { renderClassReport } from '../grade/class-report.js';

export function mergeCommand(folders: string[], options: { out: string }): number {
  const runs: GradedStudent[] = [];
  const seen = new Map<string, string>();
  for (const folder of folders) {
    if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new SocklabError('NO_SUCH_FOLDER', `not a folder: ${folder}`, EXIT_CODES.specInvalid);
    for (const name of readdirSync(folder).sort()) {
      const file = path.join(folder, name, 'results.json');
      if (!statSync(path.join(folder, name)).isDirectory() || !existsSync(file)) continue;
      const run = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
      const student = run.submission?.student ?? name;
      if (seen.has(student)) throw new SocklabError('DUPLICATE_STUDENT', `${student} appears in both ${seen.get(student)} and ${folder}: were the shards overlapping?`, EXIT_CODES.specInvalid);
      seen.set(student, folder);
      runs.push({ student, run, page: `${encodeURIComponent(student)}/index.html` });
    }
  }
  if (runs.length === 0) throw new SocklabError('NOTHING_TO_MERGE', `no */results.json under ${folders.join(', ')}`, EXIT_CODES.specInvalid);
  const book = buildGradebook(runs);
  mkdirSync(options.out, { recursive: true });
  writeFileSync(path.join(options.out, 'grades.csv'), gradebookCsv(book));
  writeFileSync(path.join(options.out, 'class.html'), renderClassReport(book, `socklab class report (${folders.length} shards merged)`));
  process.stdout.write(`merged ${runs.length} students from ${folders.length} folder(s) into ${path.join(options.out, 'grades.csv')} and class.html\n`);
  return EXIT_CODES.passed;
}
