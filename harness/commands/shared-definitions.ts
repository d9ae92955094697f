// A schema used in many places (the text matcher, durations, ports) is written once under
// `definitions` and referenced with `$ref`: that keeps spec.schema.json small enough to read and quick
// for editors to load. Shared schemas are found by their structure, not from a list, so a new step
// kind's repeated parts are shared without anyone naming them.
import { nameDefinitions, type SharedSchema } from './definition-names.js';
import { forEachSubschema, mapSubschemas, type JsonSchema } from './schema-walk.js';

/**
 * A one-line schema (`{type: string, description: …}`) reads better where it is used than behind a
 * `$ref` and a jump, and sharing it saves little: only larger ones (as JSON) are shared.
 */
const MIN_SHARED_LENGTH = 120;

/**
 * `root` with its shared subschemas moved into `definitions`: every subschema with a `title`, and every
 * other one that occurs more than once and is not tiny. Larger schemas go first, so that a schema
 * repeated only inside another shared one stays inline there. Names are given afterwards, in the
 * order a reader meets the references (definition-names.ts).
 */
export function shareDefinitions(root: JsonSchema): JsonSchema {
  let tree = root;
  let shared: SharedSchema[] = [];
  for (const candidate of candidates(root)) {
    const key = canonical(candidate);
    const uses = [tree, ...shared.map(({ schema }) => schema)].reduce((count, schema) => count + countOccurrences(schema, key), 0);
    if (uses < 2 && typeof candidate.title !== 'string') continue;
    // One reference object per shared schema: nameDefinitions recognises the references by identity.
    const ref = { $ref: '#/definitions/(not yet named)' };
    tree = replaceEverywhere(tree, key, ref);
    shared = shared.map((other) => ({ ...other, schema: replaceEverywhere(other.schema, key, ref) }));
    shared.push({ schema: candidate, ref });
  }
  return shared.length === 0 ? tree : nameDefinitions(tree, shared);
}

/** Subschemas worth sharing, each structure once, largest first (ties in order of appearance). */
function candidates(root: JsonSchema): JsonSchema[] {
  const seen = new Map<string, { schema: JsonSchema; count: number }>();
  const visit = (schema: JsonSchema) =>
    forEachSubschema(schema, (child) => {
      const entry = seen.get(canonical(child)) ?? { schema: child, count: 0 };
      seen.set(canonical(child), { ...entry, count: entry.count + 1 });
      visit(child);
    });
  visit(root);
  return [...seen]
    .filter(([key, { schema, count }]) => typeof schema.title === 'string' || (count > 1 && key.length >= MIN_SHARED_LENGTH))
    .sort(([a], [b]) => b.length - a.length)
    .map(([, { schema }]) => schema);
}

/** How often `key` occurs below `tree` (not counting `tree` itself). */
function countOccurrences(tree: JsonSchema, key: string): number {
  let count = 0;
  forEachSubschema(tree, (child) => {
    if (canonical(child) === key) count += 1;
    else if (canonical(child).length > key.length) count += countOccurrences(child, key);
  });
  return count;
}

/** `tree` with each subschema equal to `key` (not `tree` itself) replaced by `ref`; unchanged parts are kept as they are. */
function replaceEverywhere(tree: JsonSchema, key: string, ref: JsonSchema): JsonSchema {
  let changed = false;
  const replaced = mapSubschemas(tree, (child) => {
    const next = canonical(child) === key ? ref : canonical(child).length > key.length ? replaceEverywhere(child, key, ref) : child;
    changed ||= next !== child;
    return next;
  });
  return changed ? replaced : tree;
}

const canonicalTexts = new WeakMap<JsonSchema, string>();

/** The schema as JSON with every object's keys sorted: equal texts mean equal schemas. */
function canonical(schema: JsonSchema): string {
  let text = canonicalTexts.get(schema);
  if (text === undefined) {
    text = JSON.stringify(schema, (_key, value: unknown) =>
      typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value,
    );
    canonicalTexts.set(schema, text);
  }
  return text;
}
