// A parsed YAML file that remembers where every node came from, so errors found later (schema,
// templates, duplicate ids) point at file:line:col without searching the text again.
import { LineCounter, Scalar, isMap, isNode, isPair, isScalar, parseDocument, visit, type Alias, type Document, type Node } from 'yaml';
import type { Diagnostic, PathSegment } from './diagnostics.js';
import { formatPath } from './diagnostics.js';

/** Expanded nodes allowed per anchor: plenty for a spec, far too few for an alias bomb. */
const MAX_ALIAS_COUNT = 100;

export class YamlSource {
  readonly lineCounter = new LineCounter();
  readonly document: Document;
  readonly syntaxErrors: Diagnostic[];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.document = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
    // Only the first syntax error: the ones after it are nearly always echoes of the first.
    this.syntaxErrors = this.document.errors.slice(0, 1).map((error) => {
      // yaml reports an unclosed quote where the file ends; the caret belongs under the opening quote.
      const opening = /^Missing closing .?quote/.test(error.message) ? this.quotedScalarEndingAt(error.pos[0]) : undefined;
      const [start, end] = opening ? [opening[0], opening[0] + 1] : error.pos;
      const position = this.lineCounter.linePos(start);
      return {
        file,
        line: position.line,
        column: position.col,
        length: Math.max(1, end - start),
        path: '',
        message: `invalid YAML: ${firstLine(error.message)}${opening ? ' for the string that starts here' : ''}`,
      };
    });
    if (this.syntaxErrors.length === 0) {
      const aliasError = this.aliasError();
      if (aliasError) this.syntaxErrors = [aliasError];
    }
  }

  private js: { value: unknown } | undefined;

  /** The document as plain values, expanded once (the alias check above may already have done it). */
  toJS(): unknown {
    this.js ??= { value: this.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
    return this.js.value;
  }

  private quotedScalarEndingAt(offset: number): readonly [number, number, number] | undefined {
    let found: readonly [number, number, number] | undefined;
    visit(this.document, {
      Scalar: (_key, node) => {
        const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
        if (quoted && node.range && node.range[0] < offset && offset <= node.range[1]) found = node.range;
      },
    });
    return found;
  }

  /**
   * Aliases are expanded only by toJS(), which throws on an alias to no earlier anchor and on an
   * alias bomb ("billion laughs"). Expanding once here turns either into a positioned error.
   */
  private aliasError(): Diagnostic | undefined {
    const aliases: Alias[] = [];
    visit(this.document, { Alias: (_key, node) => void aliases.push(node) });
    // Without aliases there is nothing to expand (nor to go wrong expanding).
    if (aliases.length === 0) return undefined;
    // toJS() turns an alias inside its own anchor into a cycle, on which every later stage would recurse forever.
    const cyclic = aliases.find((alias) => encloses(alias.resolve(this.document), alias));
    if (cyclic) return this.aliasDiagnostic(cyclic, `alias *${cyclic.source} is inside the node it names (&${cyclic.source}), which makes an endless structure`);
    try {
      this.toJS();
      return undefined;
    } catch (error) {
      const unresolved = aliases.find((alias) => !alias.resolve(this.document));
      if (unresolved) return this.aliasDiagnostic(unresolved, `alias *${unresolved.source} names no anchor defined before it (expected &${unresolved.source} earlier in the file)`);
      const message = isAliasBomb(error)
        ? `aliases expand to more than ${MAX_ALIAS_COUNT} nodes (an "alias bomb"); write the values out instead`
        : firstLine(error instanceof Error ? error.message : String(error));
      return this.aliasDiagnostic(aliases[0], message);
    }
  }

  private aliasDiagnostic(alias: Alias | undefined, message: string): Diagnostic {
    const [start, end] = alias?.range ?? [0, 1];
    const position = this.lineCounter.linePos(start);
    return { file: this.file, line: position.line, column: position.col, length: Math.max(1, end - start), path: '', message: `invalid YAML: ${message}` };
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

function isAliasBomb(error: unknown): boolean {
  return error instanceof ReferenceError && /excessive alias count/i.test(error.message);
}

function encloses(node: Node | undefined, alias: Alias): boolean {
  return Boolean(node?.range && alias.range && node.range[0] <= alias.range[0] && alias.range[1] <= node.range[1]);
}
