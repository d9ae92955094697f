// Where a JSON Schema keeps its subschemas, so that the editor-schema passes (draft-07 conversion,
// shared definitions) can rebuild a schema without knowing every keyword themselves.

/** A JSON Schema object as plain JSON (TypeBox's symbol-keyed markers already dropped). */
export type JsonSchema = { [keyword: string]: unknown };

/** Where a subschema sits in its parent: `properties.stdout`, `anyOf[1]`, `items`. */
export interface SubschemaPlace {
  keyword: string;
  /** The property name (or pattern, or definition name) under a map keyword. */
  name?: string;
  index?: number;
}

/** Keywords whose value is one subschema (draft-07, and the 2020-12 ones the conversion handles). */
const SINGLE = new Set(['items', 'additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'if', 'then', 'else', 'not']);
/** Keywords whose value is a list of subschemas. */
const LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'items', 'prefixItems']);
/** Keywords whose value maps names to subschemas (`dependencies` may also map a name to required names). */
const MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependencies', 'dependentSchemas']);

export function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `schema` with each direct subschema replaced by `map(child, place)`; other values are kept. */
export function mapSubschemas(schema: JsonSchema, map: (child: JsonSchema, place: SubschemaPlace) => JsonSchema): JsonSchema {
  const mapped: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (LISTS.has(keyword) && Array.isArray(value)) {
      mapped[keyword] = value.map((child, index) => (isSchema(child) ? map(child, { keyword, index }) : child));
    } else if (SINGLE.has(keyword) && isSchema(value)) {
      mapped[keyword] = map(value, { keyword });
    } else if (MAPS.has(keyword) && isSchema(value)) {
      mapped[keyword] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, isSchema(child) ? map(child, { keyword, name }) : child]));
    } else {
      mapped[keyword] = value;
    }
  }
  return mapped;
}

/** Calls `visit` on each direct subschema of `schema`, in the order `mapSubschemas` maps them. */
export function forEachSubschema(schema: JsonSchema, visit: (child: JsonSchema, place: SubschemaPlace) => void): void {
  mapSubschemas(schema, (child, place) => {
    visit(child, place);
    return child;
  });
}

/** `properties/stdout`, `anyOf/1`: the JSON Pointer step from a schema to one of its subschemas. */
export function pointerStep(place: SubschemaPlace): string {
  const name = place.name ?? (place.index === undefined ? undefined : String(place.index));
  return name === undefined ? place.keyword : `${place.keyword}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}
