// Names for the editor schema's shared definitions. They show in spec.schema.json and in editors'
// messages (`Incorrect type. Expected "TextMatcher"`), so they come from what a person wrote: a schema's
// `title`, else the property where a reader first meets it. Names are given in reading order, so that
// a definition added elsewhere does not rename the ones before it.
import { forEachSubschema, mapSubschemas, type JsonSchema, type SubschemaPlace } from './schema-walk.js';

/** A schema moved into `definitions`, and the reference object that stands for it wherever it was. */
export interface SharedSchema {
  schema: JsonSchema;
  ref: JsonSchema;
}

/**
 * `tree` with `definitions`, each shared schema named after its `title`, else after the property where
 * it first occurs (`env` → `Env`, the items of `packets` → `PacketsItem`), prefixed with the definition
 * it occurs in when that name is taken (`RunStepExpect`).
 */
export function nameDefinitions(tree: JsonSchema, shared: SharedSchema[]): JsonSchema {
  const byRef = new Map(shared.map((entry) => [entry.ref, entry]));
  const names = new Map<SharedSchema, string>();
  const visit = (schema: JsonSchema, hint: string, owner: string) =>
    forEachSubschema(schema, (child, place) => {
      const entry = byRef.get(child);
      if (entry === undefined) return visit(child, hintFor(hint, place), owner);
      if (names.has(entry)) return;
      const name = freeName(entry.schema, hintFor(hint, place), owner, new Set(names.values()));
      names.set(entry, name);
      visit(entry.schema, name, name);
    });
  visit(tree, '', '');
  const named = (schema: JsonSchema): JsonSchema => {
    const entry = byRef.get(schema);
    return entry ? { $ref: `#/definitions/${names.get(entry)}` } : mapSubschemas(schema, named);
  };
  const definitions = [...names].map(([entry, name]) => [name, mapSubschemas(entry.schema, named)] as const);
  // Sorted by code point, not localeCompare: the checked-in files must come out the same on every machine.
  definitions.sort(([a], [b]) => (a < b ? -1 : 1));
  return { ...named(tree), definitions: Object.fromEntries(definitions) };
}

/** The name a subschema would get from where it sits: its property, or its parent's name plus Item/Value/Option. */
function hintFor(parentHint: string, place: SubschemaPlace): string {
  if (place.keyword === 'properties' && place.name !== undefined) return pascalCase(place.name);
  if (place.keyword === 'items' || place.keyword === 'additionalItems') return `${parentHint}Item`;
  if (place.keyword === 'patternProperties' || place.keyword === 'additionalProperties') return `${parentHint}Value`;
  return `${parentHint}Option`;
}

function freeName(schema: JsonSchema, hint: string, owner: string, taken: Set<string>): string {
  const base = typeof schema.title === 'string' ? pascalCase(schema.title) : hint;
  const wanted = [base, `${owner}${base}`];
  for (let number = 2; ; number += 1) {
    const free = wanted.find((name) => !taken.has(name));
    if (free !== undefined) return free;
    wanted.push(`${base}${number}`);
  }
}

export function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
