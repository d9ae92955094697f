// Which file of a student's submission plays each role, and how it takes its arguments. The
// submission's own socklab.yaml decides when it has one. Otherwise, in any sub-folder: first the usual
// file names the lab file lists per role (TCPServer.py, …), matched without regard to case; then, for
// the roles still without a program, what the other files do (grade/detect-content.ts). Each program's
// command-line convention is read from its source (grade/detect-arguments.ts). The result says which
// file plays which role and why, and what is missing.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseCommandString } from 'execa';
import type { LabDefinition } from '../lab/lab-schema.js';
import { conventionLabel, type ConventionChoice } from '../lab/role-arguments.js';
import type { FoundProgram } from '../model/result.js';
import { detectConvention, type ModeScope } from './detect-arguments.js';
import { CONTENT_SIGNATURES, rolesByContent, servesHttp, type ContentMatch } from './detect-content.js';
import { readSourceCode, submissionFiles, type SourceCode } from './source-code.js';

export interface DetectedProgram {
  role: string;
  /** Path relative to the submission folder. */
  file?: string;
  /** Explicit command from socklab.yaml (then `file` may be unknown). */
  command?: string | string[];
  how: FoundProgram['how'];
  /** Why this program: `a TCP server (SOCK_STREAM, bind, listen, accept)`, `its name`. */
  why: string;
  /** Words the program takes before the steps' arguments: the mode word of a file that plays two roles. */
  args?: string[];
  /** How it takes the steps' arguments: one convention read from its source, or those to try in order. */
  conventions?: ConventionChoice[];
  /** Where it finds its files when not its own folder (relative to the submission): the folder of its HelloWorld.html. */
  filesDir?: string;
  /** Other files that could have played the role (the choice is deterministic, and said). */
  others?: string[];
}

export interface Detection {
  programs: DetectedProgram[];
  /** Roles with no program, e.g. a Task 1-only submission has no web-server. */
  missing: string[];
  /** Human-readable lines: what was found and why, ambiguities, the map file used. */
  notes: string[];
}

export function detectPrograms(folder: string, lab: LabDefinition): Detection {
  const mapFile = path.join(folder, 'socklab.yaml');
  if (existsSync(mapFile)) return fromMapFile(folder, mapFile, lab);
  const files = submissionFiles(folder);
  const programs: DetectedProgram[] = [];
  const notes: string[] = [];
  const students = Object.entries(lab.roles).filter(([, definition]) => (definition.files ?? []).length > 0);
  for (const [role, definition] of students) {
    const wanted = (definition.files ?? []).map((name) => name.toLowerCase());
    const matches = files.filter((file) => wanted.includes(path.basename(file).toLowerCase()));
    if (matches.length === 0) continue;
    // Prefer the shallowest match, then the lab's order of names (TCPServer.py before TCPServer.java).
    matches.sort((a, b) => depth(a) - depth(b) || wanted.indexOf(path.basename(a).toLowerCase()) - wanted.indexOf(path.basename(b).toLowerCase()));
    programs.push({ role, file: matches[0], how: 'file name', why: 'its name', ...(matches.length > 1 ? { others: matches.slice(1) } : {}) });
    if (matches.length > 1) notes.push(`${role}: ${matches[0]} chosen (also found: ${matches.slice(1).join(', ')})`);
  }
  const sources = new Map<string, SourceCode | null>();
  const sourceOf = (file: string) => {
    if (!sources.has(file)) sources.set(file, readSourceCode(folder, file));
    return sources.get(file)!;
  };
  const unnamed = students.filter(([role]) => !programs.some((program) => program.role === role)).map(([role]) => role);
  const taken = new Set(programs.map((program) => program.file));
  const modes = new Map<DetectedProgram, ModeScope>();
  programs.push(...byContent(unnamed, files.filter((file) => !taken.has(file)), sourceOf, notes, modes));
  for (const program of programs) {
    const source = sourceOf(program.file!);
    program.conventions = detectConvention(source, lab.roles[program.role].usage, modes.get(program));
    const filesDir = source && servesHttp(source) ? pagesFolder(files, path.dirname(program.file!)) : undefined;
    if (filesDir) program.filesDir = filesDir;
  }
  const missing = students.map(([role]) => role).filter((role) => !programs.some((program) => program.role === role));
  notes.unshift(...programs.map(describeProgram));
  if (missing.length) notes.push(`no program for: ${missing.join(', ')}`);
  return { programs, missing, notes };
}

/** What a report says of a role nothing plays: the names looked for, and what a file of it would do. */
export function missingReason(role: string, lab: LabDefinition): string {
  const signature = CONTENT_SIGNATURES[role];
  return `no program for role ${role} in the submission (looked for ${(lab.roles[role].files ?? []).join(', ')}${signature ? `, and for ${signature} in any file` : ''})`;
}

/** For results.json and the reports: which program plays the role, why, and how it takes its arguments. */
export function foundProgram(program: DetectedProgram): FoundProgram {
  const read = program.conventions?.length === 1 && program.conventions[0].how === 'source' ? program.conventions[0] : undefined;
  return {
    role: program.role,
    program: program.command !== undefined ? (typeof program.command === 'string' ? program.command : program.command.join(' ')) : [program.file, ...(program.args ?? [])].join(' '),
    how: program.how,
    why: program.why,
    ...(read ? { convention: { name: conventionLabel(read.convention), ...(read.source ? { source: read.source } : {}) } } : {}),
    ...(program.filesDir ? { filesDir: program.filesDir } : {}),
    ...(program.others ? { others: program.others } : {}),
  };
}

/** `tcp-server: task1/tcp_server.py: a TCP server (bind, listen, accept); takes PORT (task1/tcp_server.py:10)`. */
function describeProgram(program: DetectedProgram): string {
  const found = foundProgram(program);
  const convention = found.convention
    ? `; takes ${found.convention.name === 'none' ? 'no arguments' : found.convention.name}${found.convention.source ? ` (${found.convention.source.file}:${found.convention.source.line})` : ''}`
    : program.conventions
      ? '; its source does not say how it takes its arguments: the conventions are tried in order'
      : '';
  return `${program.role}: ${found.program}: ${program.how === 'file name' ? 'by its name' : program.why}${convention}${program.filesDir ? `; its pages are in ${program.filesDir}/` : ''}`;
}

/** The roles still without a program, from what the remaining files do; ties go to the file whose name fits the role best. */
function byContent(roles: string[], files: string[], sourceOf: (file: string) => SourceCode | null, notes: string[], modes: Map<DetectedProgram, ModeScope>): DetectedProgram[] {
  const candidates = new Map<string, Array<{ file: string; match: ContentMatch }>>();
  for (const file of files) {
    const source = roles.length > 0 ? sourceOf(file) : null;
    for (const match of source ? rolesByContent(source) : []) {
      if (roles.includes(match.role)) candidates.set(match.role, [...(candidates.get(match.role) ?? []), { file, match }]);
    }
  }
  const found: DetectedProgram[] = [];
  for (const role of roles) {
    const ranked = (candidates.get(role) ?? []).sort((a, b) => nameFit(b.file, role) - nameFit(a.file, role) || depth(a.file) - depth(b.file) || a.file.localeCompare(b.file));
    if (ranked.length === 0) continue;
    const [best, ...others] = ranked;
    const program: DetectedProgram = {
      role,
      file: best.file,
      how: 'content',
      why: best.match.why,
      ...(best.match.mode ? { args: [best.match.mode.word] } : {}),
      ...(others.length ? { others: others.map((entry) => entry.file) } : {}),
    };
    if (best.match.mode) modes.set(program, best.match.mode.scope);
    found.push(program);
    if (others.length) notes.push(`${role}: ${[best, ...others].map((entry) => entry.file).join(' and ')} each look like ${CONTENT_SIGNATURES[role] ?? role}; chose ${best.file} (its name and folder fit the role best, then the shallowest, then the first by name)`);
  }
  return found;
}

const ROLE_WORDS: Record<string, string[]> = {
  'tcp-server': ['tcp', 'server', 'serv'],
  'tcp-client': ['tcp', 'client'],
  'udp-server': ['udp', 'server', 'serv'],
  'udp-client': ['udp', 'client'],
  'web-server': ['web', 'http', 'www', 'server'],
  proxy: ['proxy', 'cache', 'web'],
  'mail-client': ['mail', 'smtp', 'email', 'client'],
};

/** How many of the role's words the file's path holds (`task1/tcp_server.py`: tcp, server). */
function nameFit(file: string, role: string): number {
  const words = file.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/);
  return (ROLE_WORDS[role] ?? []).filter((word) => words.includes(word)).length;
}

/**
 * The folder of the submission's own HelloWorld.html (the page the handout asks for) when it lies below
 * the program's folder rather than in it: a web server that serves `www/` next to itself.
 */
function pagesFolder(files: string[], programFolder: string): string | undefined {
  const prefix = programFolder === '.' ? '' : `${programFolder}/`;
  const pages = files.filter((file) => file.startsWith(prefix) && path.basename(file).toLowerCase() === 'helloworld.html').sort((a, b) => depth(a) - depth(b));
  if (pages.length === 0 || path.dirname(pages[0]) === programFolder) return undefined;
  return path.dirname(pages[0]);
}

function fromMapFile(folder: string, mapFile: string, lab: LabDefinition): Detection {
  const parsed = parseYaml(readFileSync(mapFile, 'utf8')) as { roles?: Record<string, string | string[]> } | null;
  const roles = parsed?.roles ?? {};
  const programs: DetectedProgram[] = [];
  const notes = [`roles from ${path.basename(mapFile)}`];
  const files = submissionFiles(folder);
  for (const [role, command] of Object.entries(roles)) {
    if (!lab.roles[role]) {
      notes.push(`socklab.yaml names an unknown role "${role}" (ignored)`);
      continue;
    }
    // The program file is the command's first word that names a file of the submission.
    const words = Array.isArray(command) ? command : parseCommandString(String(command));
    const file = words.map((word) => path.normalize(word)).find((word) => files.includes(word));
    const source = file ? readSourceCode(folder, file) : null;
    const filesDir = file && source && servesHttp(source) ? pagesFolder(files, path.dirname(file)) : undefined;
    programs.push({ role, command, how: 'socklab.yaml', why: 'socklab.yaml', ...(file ? { file } : {}), ...(filesDir ? { filesDir } : {}) });
    notes.push(`${role}: ${words.join(' ')}${filesDir ? `; its pages are in ${filesDir}/` : ''}`);
  }
  const missing = Object.entries(lab.roles)
    .filter(([role, definition]) => (definition.files ?? []).length > 0 && !roles[role])
    .map(([role]) => role);
  if (missing.length) notes.push(`no program for: ${missing.join(', ')}`);
  return { programs, missing, notes };
}

function depth(file: string): number {
  return file.split('/').length;
}
