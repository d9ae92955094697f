// Checks a value against a JSON Schema with ajv and turns ajv's errors into positioned diagnostics
// that say what was expected and what was found.
//
// Compiling the schemas with ajv costs a few hundred milliseconds at every start of the CLI, so the
// build compiles them ahead of time (ajv's standalone code, scripts/precompile-validators.mjs) into
// validators.generated.cjs, keyed by a hash of each schema's JSON. A schema without a precompiled
// validator of the same hash (changed since the build, or one the build does not know) is compiled
// here, with the same options.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { root } from '../socklab-root.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { TSchema } from '@sinclair/typebox';
import { closestMatch } from './did-you-mean.js';
import { describeValue, type Diagnostic, type PathSegment } from './diagnostics.js';
import type { YamlSource } from './yaml-source.js';
import { makeAjv } from './ajv-instance.js';

const require = createRequire(import.meta.url);
/** The precompiled validators (written by the build). */
export const PRECOMPILED_FILE = path.join(root, 'dist', 'validators.generated.cjs');

const VALUE_LEVEL_KEYWORDS = new Set(['type', 'const', 'enum', 'pattern', 'minimum', 'maximum', 'minLength', 'minItems', 'format']);

const compiled = new WeakMap<object, ValidateFunction>();
let precompiled: Record<string, ValidateFunction> | null = null;
let ajv: { compile(schema: object): ValidateFunction } | null = null;

/** The hash that keys a schema's precompiled validator: sha256 of its JSON. */
export function schemaHash(schema: object): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

/** Where `schema`'s validator comes from: built ahead of time, or compiled now. */
export function validatorSource(schema: TSchema): 'precompiled' | 'compiled' {
  return loadPrecompiled()[schemaHash(schema)] ? 'precompiled' : 'compiled';
}

function compile(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = loadPrecompiled()[schemaHash(schema)];
    if (!validate) {
      ajv ??= makeAjv((require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020);
      validate = ajv.compile(schema);
    }
    compiled.set(schema, validate);
  }
  return validate;
}

function loadPrecompiled(): Record<string, ValidateFunction> {
  if (!precompiled) {
    try {
      precompiled = require(PRECOMPILED_FILE) as Record<string, ValidateFunction>;
    } catch {
      precompiled = {};
    }
  }
  return precompiled;
}

/** Validates `value`, found at `basePath` in `source`, and returns one diagnostic per problem. */
export function validateAgainst(schema: TSchema, value: unknown, source: YamlSource, basePath: PathSegment[] = []): Diagnostic[] {
  const validate = compile(schema);
  if (validate(value)) return [];
  const errors = selectErrors(validate.errors ?? []);
  const diagnostics = errors.map((error) => toDiagnostic(error, source, basePath));
  return dedupe(diagnostics).sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Keeps the errors a person needs: a union's branch errors collapse into one, unless one branch clearly applies. */
function selectErrors(errors: ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf');
  let kept = errors;
  for (const union of unions) {
    const prefix = `${union.schemaPath}/`;
    const branchErrors = errors.filter((error) => error.schemaPath.startsWith(prefix));
    const branches = groupBy(branchErrors, (error) => error.schemaPath.slice(prefix.length).split('/')[0]);
    // A branch "applies" when the value itself fits it (right type, constant, pattern, range) and only
    // something inside is wrong: then its errors say more than the union's `expected` phrase.
    const applying = [...branches.values()].filter(
      (group) => !group.some((error) => error.instancePath === union.instancePath && VALUE_LEVEL_KEYWORDS.has(error.keyword)),
    );
    if (applying.length === 1) kept = kept.filter((error) => error !== union && (!error.schemaPath.startsWith(prefix) || applying[0].includes(error)));
    else kept = kept.filter((error) => !error.schemaPath.startsWith(prefix));
  }
  return kept;
}

function toDiagnostic(error: ErrorObject, source: YamlSource, basePath: PathSegment[]): Diagnostic {
  const path = [...basePath, ...pointerToPath(error.instancePath)];
  const expected = (error.parentSchema as { expected?: string } | undefined)?.expected;
  const got = describeValue(error.data);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const suggestion = closestMatch(key, known);
      return source.diagnosticAt([...path, key], `unknown key "${key}"; expected one of: ${known.join(', ')}`, {
        at: 'key',
        hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
      });
    }
    case 'required':
      return source.diagnosticAt(path, `missing required key "${String(error.params.missingProperty)}"`);
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      const suggestion = typeof error.data === 'string' ? closestMatch(error.data, allowed) : null;
      return source.diagnosticAt(path, `expected one of ${allowed.join(', ')}, got ${got}`, {
        hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
      });
    }
    case 'type':
      return source.diagnosticAt(path, `expected ${expected ?? `a ${String(error.params.type)}`}, got ${got}`);
    case 'pattern':
      return source.diagnosticAt(path, `expected ${expected ?? `text matching ${String(error.params.pattern)}`}, got ${got}`);
    case 'minItems':
      return source.diagnosticAt(path, `expected ${expected ?? `at least ${String(error.params.limit)} item(s)`}, got ${got}`);
    case 'minProperties':
      return source.diagnosticAt(path, `expected ${expected ?? 'a non-empty mapping'}, got ${got}`);
    case 'anyOf':
    case 'oneOf': {
      const constants = collectConstants(error.parentSchema);
      const suggestion = typeof error.data === 'string' ? closestMatch(error.data, constants) : null;
      return source.diagnosticAt(path, `expected ${expected ?? 'one of the allowed forms'}, got ${got}`, {
        hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
      });
    }
    default:
      return source.diagnosticAt(path, `expected ${expected ?? error.message ?? 'something else'}, got ${got}`);
  }
}

/** String constants a union accepts (for "did you mean"), e.g. "nonzero". */
function collectConstants(schema: unknown): string[] {
  const branches = ((schema as { anyOf?: unknown[]; oneOf?: unknown[] }).anyOf ?? (schema as { oneOf?: unknown[] }).oneOf ?? []) as Array<{ const?: unknown }>;
  return branches.map((branch) => branch.const).filter((value): value is string => typeof value === 'string');
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((diagnostic) => {
    const key = `${diagnostic.line}:${diagnostic.column}:${diagnostic.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
