// The editor schemas (spec.schema.json, lab.schema.json): up to date, plain draft-07 with shared
// definitions, and in agreement with the loader on the specs we ship and on typical mistakes. ajv's
// draft-07 class stands in for the editor here; yaml-language-server.test.ts runs the editor engine.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { buildLabSchema, buildSpecSchema } from '../../harness/commands/editor-schema.js';
import { findSpecFiles } from '../../harness/spec/find-spec-files.js';
import { PortRef } from '../../harness/schema/parts.js';
import { stepKinds } from '../../harness/steps/registry.js';
import { repoRoot } from '../support/paths.js';

type Schema = { [keyword: string]: unknown };

const readSchema = (file: string) => JSON.parse(readFileSync(path.join(repoRoot, file), 'utf8')) as Schema & { definitions: Record<string, Schema> };
const specSchema = readSchema('spec.schema.json');
const labSchema = readSchema('lab.schema.json');

/** The draft-07 meta-schema's keywords, written out here rather than taken from the generator. */
const DRAFT_07_VOCABULARY = new Set([
  ...['$id', '$schema', '$ref', '$comment', 'title', 'description', 'default', 'readOnly', 'examples'],
  ...['multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern'],
  ...['additionalItems', 'items', 'maxItems', 'minItems', 'uniqueItems', 'contains'],
  ...['maxProperties', 'minProperties', 'required', 'additionalProperties', 'definitions', 'properties', 'patternProperties', 'dependencies', 'propertyNames'],
  ...['const', 'enum', 'type', 'format', 'contentMediaType', 'contentEncoding', 'if', 'then', 'else', 'allOf', 'anyOf', 'oneOf', 'not'],
]);
const DRAFT_07_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const SUBSCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', 'dependencies']);
const SUBSCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'items']);
const SUBSCHEMAS = new Set(['items', 'additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'if', 'then', 'else', 'not']);

/** Each place in `schema` with a keyword or a type draft-07 does not define, as a JSON Pointer. */
function outsideDraft07(schema: unknown, at = '#'): string[] {
  if (typeof schema === 'boolean') return [];
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [`${at} (not a schema)`];
  return Object.entries(schema).flatMap(([keyword, value]: [string, unknown]) => {
    const here = `${at}/${keyword}`;
    if (!DRAFT_07_VOCABULARY.has(keyword)) return [here];
    if (keyword === 'type') return [value].flat().filter((type) => !DRAFT_07_TYPES.has(type as string)).map((type) => `${here}: ${String(type)}`);
    if (SUBSCHEMA_MAPS.has(keyword)) return Object.entries(value as Schema).flatMap(([name, child]) => (Array.isArray(child) ? [] : outsideDraft07(child, `${here}/${name}`)));
    if (SUBSCHEMA_LISTS.has(keyword) && Array.isArray(value)) return value.flatMap((child, index) => outsideDraft07(child, `${here}/${index}`));
    return SUBSCHEMAS.has(keyword) ? outsideDraft07(value, here) : [];
  });
}

function refsIn(schema: Schema): string[] {
  return [...JSON.stringify(schema).matchAll(/"\$ref":"([^"]*)"/g)].map((match) => match[1]);
}

/** Every subschema as sorted-key JSON, for finding one written out twice. */
function subschemaTexts(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const sorted = (item: unknown): unknown =>
    typeof item === 'object' && item !== null && !Array.isArray(item) ? Object.fromEntries(Object.keys(item).sort().map((key) => [key, sorted((item as Schema)[key])])) : Array.isArray(item) ? item.map(sorted) : item;
  const own = Array.isArray(value) || 'enum' in value ? [] : [JSON.stringify(sorted(value))];
  return [...own, ...Object.entries(value).flatMap(([key, child]) => (key === 'enum' || key === 'const' || key === 'required' ? [] : subschemaTexts(child)))];
}

describe('editor JSON schemas', () => {
  it('the checked-in spec.schema.json and lab.schema.json are up to date (npm run schema)', () => {
    expect(specSchema).to.deep.equal(buildSpecSchema());
    expect(labSchema).to.deep.equal(buildLabSchema());
  });

  for (const [file, schema] of [['spec.schema.json', specSchema], ['lab.schema.json', labSchema]] as const) {
    it(`${file} declares draft-07`, () => {
      expect(schema.$schema).to.equal('http://json-schema.org/draft-07/schema#');
    });

    it(`${file} uses only draft-07 keywords and types`, () => {
      expect(outsideDraft07(schema)).to.deep.equal([]);
    });

    it(`every $ref in ${file} names one of its definitions, and every definition is referenced`, () => {
      const refs = refsIn(schema);
      expect(refs.filter((ref) => !(ref.replace('#/definitions/', '') in schema.definitions) || !ref.startsWith('#/definitions/'))).to.deep.equal([]);
      expect(Object.keys(schema.definitions).filter((name) => !refs.includes(`#/definitions/${name}`))).to.deep.equal([]);
    });

    it(`${file} writes no larger subschema out twice`, () => {
      const texts = subschemaTexts(schema).filter((text) => text.length >= 200);
      expect(texts.filter((text, index) => texts.indexOf(text) !== index)).to.deep.equal([]);
    });
  }

  it('shares the parts used all over under readable names', () => {
    expect(specSchema.definitions).to.include.keys('Experiment', 'TextMatcher', 'Duration', 'PortRef', 'ProcessExpectation', 'Env', 'RunStep', 'StartStep');
  });

  it("describes each step alternative by its kind's summary, and a schema without a description by the loader's phrase", () => {
    const alternatives = Object.values(specSchema.definitions) as Array<Schema & { properties?: Schema; required?: string[] }>;
    for (const kind of stepKinds.values()) {
      const alternative = alternatives.find((schema) => schema.required?.includes(kind.key) && schema.properties?.[kind.key] !== undefined);
      expect(alternative?.description, kind.key).to.equal(kind.summary);
    }
    expect(specSchema.definitions.PortRef.description).to.equal((PortRef as { expected?: string }).expected);
  });

  describe('spec.schema.json checked by ajv (draft-07)', () => {
    let validate: ValidateFunction;
    before(() => {
      validate = new Ajv({ strict: true, allErrors: true }).compile(specSchema);
    });
    const experiment = () => ({
      id: 'echo',
      title: 'Echo',
      timeout: '30s',
      steps: [
        { start: 'tcp-server', args: ['{{ports.server}}'], ready: { tcp: '{{ports.server}}' } },
        { run: 'tcp-client', args: ['{{server.host}}', '{{ports.server}}'], expect: { exit: 0, stdout: { contains: 'HELLO' } } },
      ],
    });
    const errors = (spec: unknown): string[] => (validate(spec) ? [] : (validate.errors ?? []).map((error: ErrorObject) => `${error.instancePath} ${error.keyword} ${JSON.stringify(error.params)}`));

    it('accepts every spec in specs/', () => {
      for (const file of findSpecFiles([path.join(repoRoot, 'specs')])) {
        expect(errors(parse(readFileSync(file, 'utf8'))), file).to.deep.equal([]);
      }
    });

    it('accepts the experiment the next tests break, alone or in a list', () => {
      expect(errors(experiment())).to.deep.equal([]);
      expect(errors([experiment(), experiment()])).to.deep.equal([]);
    });

    it('rejects an unknown step key', () => {
      const spec = experiment();
      Object.assign(spec.steps[1], { argz: [] });
      expect(errors(spec)).to.include('/steps/1 additionalProperties {"additionalProperty":"argz"}');
    });

    it('rejects a port outside 1–65535', () => {
      const spec = experiment();
      spec.steps[0].ready = { tcp: '70000' as never };
      expect(errors(spec)).to.include('/steps/0/ready/tcp pattern {"pattern":"^\\\\{\\\\{\\\\s*[A-Za-z0-9_.-]+\\\\s*\\\\}\\\\}$"}');
      spec.steps[0].ready = { tcp: 70000 as never };
      expect(errors(spec)).to.include('/steps/0/ready/tcp maximum {"comparison":"<=","limit":65535}');
    });

    it('rejects a duration without a unit', () => {
      const spec = { ...experiment(), timeout: '30 sec' };
      expect(errors(spec)).to.include('/timeout pattern {"pattern":"^\\\\d+(\\\\.\\\\d+)?\\\\s*(ms|s|m)$"}');
    });
  });

  describe('lab.schema.json checked by ajv (draft-07)', () => {
    let validate: ValidateFunction;
    before(() => {
      validate = new Ajv({ strict: true }).compile(labSchema);
    });
    const lab = parse(readFileSync(path.join(repoRoot, 'specs', 'lab.yaml'), 'utf8')) as { roles: Record<string, Schema> };

    it('accepts specs/lab.yaml', () => {
      expect(validate(lab), new Ajv().errorsText(validate.errors)).to.equal(true);
    });

    it('rejects a role without its reference command', () => {
      const [name, role] = Object.entries(lab.roles)[0];
      const { reference: _reference, ...withoutReference } = role;
      expect(validate({ ...lab, roles: { ...lab.roles, [name]: withoutReference } })).to.equal(false);
    });
  });
});
