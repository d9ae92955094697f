// A student's source file as grading reads it: its lines as written (for `file:line` evidence), and
// the same lines with comments and docstrings blanked, so that `# usage: python3 x.py HOST PORT` or a
// commented-out `bind(...)` is never taken for code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SourceLine } from '../model/result.js';

export type SourceLanguage = 'python' | 'java' | 'c' | 'javascript';

const LANGUAGES: Record<string, SourceLanguage> = { '.py': 'python', '.java': 'java', '.c': 'c', '.js': 'javascript', '.mjs': 'javascript' };
/** A program this lab asks for is far smaller; larger files are not read. */
const MAX_SOURCE_BYTES = 512 * 1024;

export interface SourceCode {
  /** Relative to the submission folder. */
  file: string;
  language: SourceLanguage;
  /** The lines as written. */
  lines: string[];
  /** The same lines, comments and docstrings blanked. */
  code: string[];
}

export function readSourceCode(folder: string, file: string): SourceCode | null {
  const language = LANGUAGES[path.extname(file).toLowerCase()];
  const full = path.join(folder, file);
  const stat = statSync(full, { throwIfNoEntry: false });
  if (!language || !stat?.isFile() || stat.size > MAX_SOURCE_BYTES) return null;
  const text = readFileSync(full, 'latin1').replace(/\r\n?/g, '\n');
  const code = blankComments(text, language === 'python' ? PYTHON : C_STYLE).split('\n');
  return { file, language, lines: text.split('\n'), code };
}

/** The evidence for a line (0-based index): `task1/tcp_server.py:12 server.bind(('', port))`. */
export function sourceLine(source: SourceCode, index: number): SourceLine {
  return { file: source.file, line: index + 1, text: source.lines[index].trim() };
}

/** The first line (0-based) whose code matches, or -1. */
export function findCodeLine(source: SourceCode, pattern: RegExp, from = 0): number {
  for (let index = from; index < source.code.length; index += 1) if (pattern.test(source.code[index])) return index;
  return -1;
}

/** How a language writes comments and strings, for blanking the comments. */
interface Syntax {
  quotes: string[];
  lineComment: string;
  blockComment?: [string, string];
  /** Python: a triple-quoted string that stands alone as a statement (a docstring) is blanked; other strings are kept. */
  docstrings?: boolean;
}

const PYTHON: Syntax = { quotes: ['"', "'"], lineComment: '#', docstrings: true };
const C_STYLE: Syntax = { quotes: ['"', "'", '`'], lineComment: '//', blockComment: ['/*', '*/'] };

function blankComments(text: string, syntax: Syntax): string {
  let out = '';
  let index = 0;
  const skip = (stop: number, blanked: boolean) => {
    out += blanked ? blank(text.slice(index, stop)) : text.slice(index, stop);
    index = stop;
  };
  while (index < text.length) {
    const triple = syntax.docstrings && (text.startsWith('"""', index) || text.startsWith("'''", index));
    if (triple) {
      const end = text.indexOf(text.slice(index, index + 3), index + 3);
      const lineStart = text.lastIndexOf('\n', index - 1) + 1;
      skip(end < 0 ? text.length : end + 3, text.slice(lineStart, index).trim() === '');
    } else if (syntax.quotes.includes(text[index])) {
      skip(stringEnd(text, index, text[index]), false);
    } else if (text.startsWith(syntax.lineComment, index)) {
      skip(lineEnd(text, index), true);
    } else if (syntax.blockComment && text.startsWith(syntax.blockComment[0], index)) {
      const end = text.indexOf(syntax.blockComment[1], index + 2);
      skip(end < 0 ? text.length : end + syntax.blockComment[1].length, true);
    } else {
      skip(index + 1, false);
    }
  }
  return out;
}

/** Where a one-line string that opens at `start` ends (after its closing quote, or at the end of the line). */
function stringEnd(text: string, start: number, quote: string): number {
  for (let index = start + 1; index < text.length; index += 1) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === quote) return index + 1;
    else if (text[index] === '\n' && quote !== '`') return index;
  }
  return text.length;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

/** Spaces in place of everything but line breaks, so that line numbers stay. */
function blank(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}

/**
 * The files of a submission, relative to its folder with "/", skipping hidden folders and build output
 * (node_modules, __pycache__). A folder that cannot be read is left out.
 */
export function submissionFiles(folder: string, prefix = ''): string[] {
  const found: string[] = [];
  let entries;
  try {
    entries = readdirSync(path.join(folder, prefix), { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === '__pycache__') continue;
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...submissionFiles(folder, relative));
    else if (entry.isFile()) found.push(relative);
  }
  return found;
}
