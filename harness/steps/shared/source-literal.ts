// Where a program's source writes a number: "hard-coded at TCPServer.py:3 (serverPort = 12000)".
// The source files are found from the command that started it (python3 TCPServer.py, java -cp . TCPServer,
// ./tcp_server built from tcp_server.c), read from its own folder.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SOURCE_EXTENSIONS = ['.py', '.java', '.c', '.cc', '.cpp', '.js', '.mjs', '.ts', '.go', '.rs', '.rb'];
/** Source files larger than this are not searched (a program this lab asks for is far smaller). */
const MAX_SOURCE_BYTES = 1024 * 1024;

export interface SourceLine {
  /** The file's name relative to the program's folder. */
  file: string;
  line: number;
  text: string;
}

/** The first line of the program's source that writes `literal` as a whole number, or null. */
export function findLiteral(command: readonly string[], cwd: string, literal: number): SourceLine | null {
  return firstLine(command, cwd, new RegExp(`(?<![\\w.])${literal}(?![\\w.])`));
}

function firstLine(command: readonly string[], cwd: string, pattern: RegExp): SourceLine | null {
  for (const file of sourceFiles(command, cwd)) {
    const lines = readFileSync(file, 'latin1').split('\n');
    const index = lines.findIndex((line) => pattern.test(line) && !/^\s*(#|\/\/)/.test(line));
    if (index >= 0) return { file: shownName(cwd, file), line: index + 1, text: lines[index].trim() };
  }
  return null;
}

/**
 * The first line of the program's source that writes one of `texts` as a whole string literal
 * (`'localhost'`, `"servername"`), ignoring case, or null: where a host name is hard-coded.
 */
export function findTextLiteral(command: readonly string[], cwd: string, texts: readonly string[]): SourceLine | null {
  const alternatives = texts.map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const pattern = new RegExp(`(['"])(${alternatives})\\1`, 'i');
  return firstLine(command, cwd, pattern);
}

/** `hard-coded at TCPServer.py:3 (serverPort = 12000)`, or '' when the source does not show it. */
export function describeLiteral(found: SourceLine | null): string {
  return found ? `hard-coded at ${found.file}:${found.line} (${found.text})` : '';
}

/** The file relative to the program's folder when it is inside it, else its name alone. */
function shownName(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : path.basename(file);
}

function sourceFiles(command: readonly string[], cwd: string): string[] {
  const candidates = command.flatMap((word) => {
    const resolved = path.resolve(cwd, word);
    const extension = path.extname(word);
    if (SOURCE_EXTENSIONS.includes(extension)) return [resolved];
    // A class name (java TCPServer) or a built binary (./tcp_server): its source sits beside it.
    return extension === '' && /^[\w./-]+$/.test(word) ? SOURCE_EXTENSIONS.map((ext) => `${resolved}${ext}`) : [];
  });
  return [...new Set(candidates)].filter((file) => existsSync(file) && statSync(file).isFile() && statSync(file).size <= MAX_SOURCE_BYTES);
}
