// Editors check specs through yaml-language-server, which supports draft-07 fully and later drafts only
// in part. The loader's schemas carry socklab's own `expected` keyword (the phrase of its "expected …,
// got …" messages) and may one day use a 2020-12 keyword; this pass turns them into plain draft-07.
import { isSchema, mapSubschemas, pointerStep, type JsonSchema } from './schema-walk.js';

export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** The keywords of the draft-07 meta-schema. */
const DRAFT_07_KEYWORDS = new Set([
  ...['$id', '$schema', '$ref', '$comment', 'definitions'],
  ...['title', 'description', 'default', 'readOnly', 'examples'],
  ...['type', 'enum', 'const', 'format', 'contentMediaType', 'contentEncoding'],
  ...['multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern'],
  ...['items', 'additionalItems', 'maxItems', 'minItems', 'uniqueItems', 'contains'],
  ...['properties', 'patternProperties', 'additionalProperties', 'required', 'maxProperties', 'minProperties', 'dependencies', 'propertyNames'],
  ...['if', 'then', 'else', 'allOf', 'anyOf', 'oneOf', 'not'],
]);

/**
 * A draft-07 copy of a loader schema, and of all its subschemas:
 * - `expected` becomes the `description` where there is none, so that hover text keeps the phrase;
 * - the 2020-12 keywords that have a draft-07 form are rewritten (`$defs`, `prefixItems`,
 *   `dependentRequired`, `dependentSchemas`);
 * - a union of literals becomes an `enum`, which editors list as the allowed values;
 * - `title`, `description` and `type` come first, where a reader of the file looks for them.
 * Any other keyword throws: dropping it silently would let editors disagree with the loader unnoticed.
 */
export function toDraft07(schema: JsonSchema, at = '#'): JsonSchema {
  const converted = mapSubschemas(convertKeywords(schema, at), (child, place) => toDraft07(child, `${at}/${pointerStep(place)}`));
  return namingKeywordsFirst(literalUnionAsEnum(converted));
}

function convertKeywords(schema: JsonSchema, at: string): JsonSchema {
  const converted: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    switch (keyword) {
      case 'expected':
        if (schema.description === undefined) converted.description = value;
        break;
      case '$defs':
        converted.definitions = { ...(value as object), ...(schema.definitions as object | undefined) };
        break;
      case 'prefixItems':
        converted.items = value;
        if (schema.items !== undefined) converted.additionalItems = schema.items;
        break;
      case 'items':
        if (schema.prefixItems === undefined) converted.items = value;
        break;
      case 'dependentRequired':
      case 'dependentSchemas':
        converted.dependencies = { ...(converted.dependencies as object | undefined), ...(value as object) };
        break;
      case '$ref':
        converted.$ref = typeof value === 'string' ? value.replace(/^#\/\$defs\//, '#/definitions/') : value;
        break;
      default:
        if (!DRAFT_07_KEYWORDS.has(keyword)) {
          throw new Error(`${at}: "${keyword}" is not a draft-07 keyword; convert or drop it in harness/commands/draft-07.ts`);
        }
        converted[keyword] = keyword === 'dependencies' ? { ...(converted.dependencies as object | undefined), ...(value as object) } : value;
    }
  }
  return converted;
}

/** `anyOf: [{const: a, type: string}, {const: b, type: string}]` → `type: string, enum: [a, b]`. */
function literalUnionAsEnum(schema: JsonSchema): JsonSchema {
  const { anyOf, ...rest } = schema;
  const isBareLiteral = (option: unknown) => isSchema(option) && 'const' in option && Object.keys(option).every((key) => key === 'const' || key === 'type');
  if (!Array.isArray(anyOf) || !anyOf.every(isBareLiteral)) return schema;
  const literals = anyOf as JsonSchema[];
  const types = new Set(literals.map((literal) => literal.type));
  if (types.size !== 1 || rest.type !== undefined || rest.enum !== undefined) return schema;
  const [type] = types;
  return { ...rest, ...(type === undefined ? {} : { type }), enum: literals.map((literal) => literal.const) };
}

const NAMING_KEYWORDS = ['$schema', '$id', 'title', 'description', 'type'];

function namingKeywordsFirst(schema: JsonSchema): JsonSchema {
  const naming = NAMING_KEYWORDS.filter((keyword) => keyword in schema);
  return Object.fromEntries([...naming, ...Object.keys(schema).filter((keyword) => !naming.includes(keyword))].map((keyword) => [keyword, schema[keyword]]));
}
