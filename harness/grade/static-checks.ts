// Static checks: what a grader reads in a submission's source before running anything, found once per
// submission. Every Python file is parsed by python3's own parser (static-python-script.ts; nothing
// is executed): a file that does not compile under Python 3 is caught even when the run never reaches
// it (a Python 2 mail client behind a failed Task 1). The findings are evidence for the diagnoses
// (diagnose*.ts): they sharpen what a run showed ("hard-coded at TCPServer.py:3") and never cost
// points on their own.
import { statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { PYTHON_ANALYZER } from './static-python-script.js';
import { submissionFiles } from './source-code.js';

/** What the source shows, at one line of one file. */
export interface SourceFinding {
  kind:
    | 'port-literal' // a port written into bind/connect/sendto (directly or through a variable): value, call
    | 'host-literal' // a host written into connect/sendto: value, call
    | 'url-path-opened' // open(filename) with filename = message.split()[1]: the path keeps its leading "/"
    | 'env-read' // os.environ['X'] / os.getenv('X'): value (the name), hasDefault
    | 'python2-name' // raw_input, xrange, … (they compile, then fail when reached): value
    | 'listening-socket-closed' // the listening socket's close() inside its accept loop: value (the socket)
    | 'bytes-compared-with-str' // what recv() returned (bytes) compared with a str such as "": never equal
    | 'single-recv' // one recv() per response on a socket the program connected
    | 'fixed-request-path' // a request line written whole, e.g. "GET / HTTP/1.1": value
    | 'bare-lf' // a request line ending in "\n" instead of "\r\n"
    | 'http11-request'; // an HTTP/1.1 request and no "Connection: close" anywhere in the file
  line: number;
  /** The source line, trimmed. */
  text: string;
  value?: string | number;
  /** For addresses: the socket call they reach (bind, connect, sendto) and its line. */
  call?: string;
  callLine?: number;
  hasDefault?: boolean;
}

export interface FileAnalysis {
  /** Relative to the submission folder, with "/". */
  file: string;
  /** python3 could not compile it. */
  syntaxError?: { line: number; text: string; message: string } | null;
  /** The Python 2 habit that explains the syntax error (print statement, …), when one does. */
  python2?: string | null;
  /** It imports threading, socketserver, asyncio, select, … or forks: it can serve several clients at once. */
  concurrency?: boolean;
  findings?: SourceFinding[];
  /** The file could not be read. */
  error?: string;
}

export interface StaticAnalysis {
  files: FileAnalysis[];
  /** Why nothing could be analysed (no python3), when so. */
  unavailable?: string;
}

/** A submission this lab asks for has a handful of files; a folder with far more is not searched further. */
const MAX_FILES = 200;
const MAX_FILE_BYTES = 1024 * 1024;
const ANALYSIS_TIMEOUT_MS = 30_000;

/** Analyses every Python file of the submission in one python3 process. */
export async function analyzeSubmission(folder: string): Promise<StaticAnalysis> {
  const files = pythonFiles(folder).slice(0, MAX_FILES);
  if (files.length === 0) return { files: [] };
  const input = JSON.stringify(files.map((file) => ({ path: path.join(folder, file), name: file })));
  const result = await execa('python3', ['-I', '-c', PYTHON_ANALYZER], { input, timeout: ANALYSIS_TIMEOUT_MS, reject: false, env: { PYTHONDONTWRITEBYTECODE: '1' } });
  if (result.failed) return { files: [], unavailable: `static checks skipped: python3 ${result.timedOut ? 'took too long' : `failed (${result.shortMessage})`}` };
  try {
    return { files: JSON.parse(result.stdout) as FileAnalysis[] };
  } catch {
    return { files: [], unavailable: 'static checks skipped: python3 gave no analysis' };
  }
}

/**
 * The analysis of the file a role's program runs: its detected file (task1/TCPServer.py), or the
 * .py file named in its command (`python3 task1/TCPServer.py`, from a socklab.yaml).
 */
export function analysisOf(analysis: StaticAnalysis | undefined, program: string | undefined): FileAnalysis | undefined {
  if (!analysis || !program) return undefined;
  const words = program.endsWith('.py') ? [program] : program.split(/[\s,]+/).filter((word) => word.endsWith('.py'));
  for (const word of words) {
    const wanted = path.posix.normalize(word.replace(/\\/g, '/')).replace(/^\.\//, '');
    const found = analysis.files.find((file) => file.file === wanted);
    if (found) return found;
  }
  return undefined;
}

/** The findings of one kind, in source order. */
export function findingsOf(file: FileAnalysis | undefined, kind: SourceFinding['kind']): SourceFinding[] {
  return (file?.findings ?? []).filter((finding) => finding.kind === kind);
}

/** `TCPServer.py:3`: a finding's place, the way every message writes it. */
export function placeOf(file: FileAnalysis, line: number): string {
  return `${path.posix.basename(file.file)}:${line}`;
}

/** The submission's Python files small enough to be a lab program, in order. */
function pythonFiles(folder: string): string[] {
  return submissionFiles(folder)
    .filter((file) => file.endsWith('.py') && statSync(path.join(folder, file)).size <= MAX_FILE_BYTES)
    .sort();
}
