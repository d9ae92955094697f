// A parsed YAML file that remembers where every node came from, so errors found later (schema,
// templates, duplicate ids) point at file:line:col without searching the text again.
import { LineCounter, isMap, isNode, isPair, isScalar, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic, PathSegment } from './diagnostics.js';
import { formatPath } from './diagnostics.js';

export class YamlSource {
  readonly lineCounter = new LineCounter();
  readonly document: Document;
  readonly syntaxErrors: Diagnostic[];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.document = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
    // Only the first syntax error: the ones after it are nearly always echoes of the first.
    this.syntaxErrors = this.document.errors.slice(0, 1).map((error) => {
      const [start, end] = error.pos;
      const position = this.lineCounter.linePos(start);
      return {
        file,
        line: position.line,
        column: position.col,
        length: Math.max(1, end - start),
        path: '',
        message: `invalid YAML: ${firstLine(error.message)}`,
      };
    });
  }

  toJS(): unknown {
    return this.document.toJS({ maxAliasCount: 100 });
  }

  /** A diagnostic located at the value (or, with `at: 'key'`, the key) found at `path`. */
  diagnosticAt(path: readonly PathSegment[], message: string, options: { at?: 'key' | 'value'; hint?: string } = {}): Diagnostic {
    const range = this.rangeOf(path, options.at ?? 'value');
    const position = this.lineCounter.linePos(range[0]);
    return {
      file: this.file,
      line: position.line,
      column: position.col,
      length: Math.max(1, range[1] - range[0]),
      path: formatPath(path),
      message,
      hint: options.hint,
    };
  }

  /** The node at `path`, or undefined. */
  nodeAt(path: readonly PathSegment[]): Node | undefined {
    if (path.length === 0) return this.document.contents ?? undefined;
    const node = this.document.getIn(path, true);
    return isNode(node) ? node : undefined;
  }

  /** Source range of the value or key at `path`; falls back to the nearest existing ancestor. */
  rangeOf(path: readonly PathSegment[], at: 'key' | 'value'): [number, number] {
    if (at === 'key' && path.length > 0) {
      const parent = this.nodeAt(path.slice(0, -1));
      const last = path[path.length - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(last));
        if (pair && isNode(pair.key) && pair.key.range) return [pair.key.range[0], pair.key.range[1]];
      }
    }
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = this.nodeAt(path.slice(0, depth));
      if (node?.range) {
        if (depth < path.length || isMap(node)) return firstLineRange(this.text, node.range[0], node.range[1]);
        return [node.range[0], node.range[1]];
      }
    }
    return [0, 1];
  }
}

/** A range cut at the end of its first line, so a caret under a whole mapping stays readable. */
function firstLineRange(text: string, start: number, end: number): [number, number] {
  const newline = text.indexOf('\n', start);
  return [start, newline === -1 ? end : Math.min(end, newline)];
}

function firstLine(text: string): string {
  return text.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
