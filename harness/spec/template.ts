// `{{ports.server}}`-style templates. Variables are checked when a spec is validated (with positions)
// and substituted when an experiment is planned; an unknown variable is never silently left in.

const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;

export interface TemplateReference {
  expression: string;
  /** Offset of `{{` in the string. */
  offset: number;
}

export function findTemplateReferences(text: string): TemplateReference[] {
  const references: TemplateReference[] = [];
  for (const match of text.matchAll(TEMPLATE)) references.push({ expression: match[1], offset: match.index ?? 0 });
  return references;
}

/** The variables a template may name. `ports.*` accepts any name: it allocates a port of that name. */
export const TEMPLATE_VARIABLES = ['server.host', 'client.host', 'internet.host', 'tmp', 'fixtures', 'root', 'specDir'] as const;

const PORT_NAME = /^ports\.([a-z][a-z0-9_-]*)$/;
/**
 * `{{http.origin}}`: how a URL names a web origin listening on `{{ports.origin}}` of the Internet host:
 * `192.0.2.3` in a world, where origins also answer on port 80 as a URL without a port expects (a
 * lab-style proxy always connects to 80), and `127.0.0.1:PORT` on loopback.
 */
const HTTP_AUTHORITY = /^http\.([a-z][a-z0-9_-]*)$/;
/** `{{dir.web-server}}`: the folder of the program playing that role (its working copy when graded). */
const ROLE_FOLDER = /^dir\.[a-z][a-z0-9-]*$/;

export function portNameOf(expression: string): string | null {
  return PORT_NAME.exec(expression)?.[1] ?? null;
}

/** The port name behind `{{http.NAME}}`, or null. */
export function httpAuthorityOf(expression: string): string | null {
  return HTTP_AUTHORITY.exec(expression)?.[1] ?? null;
}

/** Why an expression is not a known variable, or null when it is fine. */
export function checkTemplateExpression(expression: string): string | null {
  if (portNameOf(expression) !== null || httpAuthorityOf(expression) !== null || ROLE_FOLDER.test(expression)) return null;
  if ((TEMPLATE_VARIABLES as readonly string[]).includes(expression)) return null;
  if (expression.startsWith('ports.')) return `port names are lowercase letters, digits, - and _, got "${expression.slice(6)}"`;
  return `unknown template variable "${expression}"; known: ports.NAME, http.NAME, dir.ROLE, ${TEMPLATE_VARIABLES.join(', ')}`;
}

export type TemplateValues = Record<string, string>;

export class TemplateError extends Error {}

export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(TEMPLATE, (_whole, expression: string) => {
    const value = values[expression];
    if (value === undefined) throw new TemplateError(`unknown template variable "${expression}"`);
    return value;
  });
}

/** Renders every string inside a JSON-like value; a string that was only a template of a number becomes that number. */
export function renderDeep<T>(value: T, values: TemplateValues): T {
  if (typeof value === 'string') {
    const rendered = renderTemplate(value, values);
    return rendered as T;
  }
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, values)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = renderDeep(item, values);
    return out as T;
  }
  return value;
}

/** Port names used anywhere inside a value, in first-seen order. */
export function collectPortNames(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    for (const reference of findTemplateReferences(value)) {
      const name = portNameOf(reference.expression) ?? httpAuthorityOf(reference.expression);
      if (name) into.add(name);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) collectPortNames(item, into);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) collectPortNames(item, into);
  }
  return into;
}
