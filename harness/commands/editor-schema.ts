// The JSON Schema editors use (`# yaml-language-server: $schema=…`): the experiment schema with every
// step kind's own schema as the step alternatives. Generated from the same TypeBox schemas the loader
// checks with, so the two never drift; `npm run schema` rewrites the checked-in files.
import { Type } from '@sinclair/typebox';
import { stepKinds } from '../steps/registry.js';
import { ExperimentSchema } from '../spec/experiment-schema.js';
import { LabSchema } from '../lab/lab-schema.js';

export function buildSpecSchema(): object {
  const steps = Type.Array(Type.Union([...stepKinds.values()].map((kind) => Type.Object(kind.schema.properties, { ...kind.schema, description: kind.summary }))), { minItems: 1 });
  const experiment = Type.Object({ ...ExperimentSchema.properties, steps }, { additionalProperties: false, description: 'One experiment: ordered steps and their expectations.' });
  return withHeader(Type.Union([experiment, Type.Array(experiment, { minItems: 1 })]), 'socklab experiment spec');
}

export function buildLabSchema(): object {
  return withHeader(LabSchema, 'socklab lab file');
}

function withHeader(schema: object, title: string): object {
  // A JSON round trip drops TypeBox's symbol-keyed metadata, leaving plain JSON Schema.
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title, ...JSON.parse(JSON.stringify(schema)) };
}
