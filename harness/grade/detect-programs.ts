// Which file of a student's submission plays each role: the submission's own socklab.yaml when it
// has one, otherwise the usual file names the lab file lists per role (TCPServer.py, …), matched
// without regard to case, in any sub-folder. The result says what was found and what is missing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { LabDefinition } from '../lab/lab-schema.js';

export interface DetectedProgram {
  role: string;
  /** Path relative to the submission folder. */
  file?: string;
  /** Explicit command from socklab.yaml (then `file` may be unknown). */
  command?: string | string[];
  how: 'socklab.yaml' | 'file name';
}

export interface Detection {
  programs: DetectedProgram[];
  /** Roles with no program, e.g. a Task 1-only submission has no web-server. */
  missing: string[];
  /** Human-readable lines: what was found, ambiguities, the map file used. */
  notes: string[];
}

export function detectPrograms(folder: string, lab: LabDefinition): Detection {
  const mapFile = path.join(folder, 'socklab.yaml');
  if (existsSync(mapFile)) return fromMapFile(mapFile, lab);
  const files = listFiles(folder);
  const programs: DetectedProgram[] = [];
  const missing: string[] = [];
  const notes: string[] = [];
  for (const [role, definition] of Object.entries(lab.roles)) {
    const wanted = (definition.files ?? []).map((name) => name.toLowerCase());
    if (wanted.length === 0) continue; // a tool such as curl, not something students write
    const matches = files.filter((file) => wanted.includes(path.basename(file).toLowerCase()));
    if (matches.length === 0) {
      missing.push(role);
      continue;
    }
    // Prefer the shallowest match, then the lab's order of names (TCPServer.py before TCPServer.java).
    matches.sort((a, b) => a.split('/').length - b.split('/').length || wanted.indexOf(path.basename(a).toLowerCase()) - wanted.indexOf(path.basename(b).toLowerCase()));
    programs.push({ role, file: matches[0], how: 'file name' });
    notes.push(`${role}: ${matches[0]}${matches.length > 1 ? ` (also found: ${matches.slice(1).join(', ')})` : ''}`);
  }
  if (missing.length) notes.push(`no program for: ${missing.join(', ')}`);
  return { programs, missing, notes };
}

function fromMapFile(mapFile: string, lab: LabDefinition): Detection {
  const parsed = parseYaml(readFileSync(mapFile, 'utf8')) as { roles?: Record<string, string | string[]> } | null;
  const roles = parsed?.roles ?? {};
  const programs: DetectedProgram[] = [];
  const notes = [`roles from ${path.basename(mapFile)}`];
  for (const [role, command] of Object.entries(roles)) {
    if (!lab.roles[role]) {
      notes.push(`socklab.yaml names an unknown role "${role}" (ignored)`);
      continue;
    }
    programs.push({ role, command, how: 'socklab.yaml' });
  }
  const missing = Object.entries(lab.roles)
    .filter(([role, definition]) => (definition.files ?? []).length > 0 && !roles[role])
    .map(([role]) => role);
  if (missing.length) notes.push(`no program for: ${missing.join(', ')}`);
  return { programs, missing, notes };
}

/** Files under `folder`, relative, skipping hidden folders and build output. */
function listFiles(folder: string, prefix = ''): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(path.join(folder, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === '__pycache__') continue;
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...listFiles(folder, relative));
    else if (entry.isFile()) found.push(relative);
  }
  return found;
}
