// The JSON Schemas editors use (`# yaml-language-server: $schema=…`): the experiment schema with every
// step kind's own schema as the step alternatives, and the lab file's schema. Generated from the same
// TypeBox schemas the loader checks with, so the two never drift; `npm run schema` rewrites the
// checked-in files. Emitted as draft-07 (what yaml-language-server supports fully), with each shared
// part written once under `definitions`.
import { stepKinds } from '../steps/registry.js';
import { ExperimentSchema } from '../spec/experiment-schema.js';
import { LabSchema } from '../lab/lab-schema.js';
import { DRAFT_07, toDraft07 } from './draft-07.js';
import { pascalCase } from './definition-names.js';
import { shareDefinitions } from './shared-definitions.js';
import type { JsonSchema } from './schema-walk.js';

export function buildSpecSchema(): JsonSchema {
  // The loader checks each step against its own kind in a second pass; editors see the kinds as the
  // alternatives of a step, each titled after its key and described by its summary.
  const stepAlternatives = [...stepKinds.values()].map((kind) => ({ ...plainJson(kind.schema), title: `${pascalCase(kind.key)}Step`, description: kind.summary }));
  const loaderSteps = plainJson(ExperimentSchema.properties.steps);
  const steps = { ...loaderSteps, items: { expected: (loaderSteps.items as JsonSchema).expected, anyOf: stepAlternatives } };
  const experiment = {
    ...plainJson(ExperimentSchema),
    title: 'Experiment',
    description: 'One experiment: ordered steps and their expectations.',
    properties: { ...plainJson(ExperimentSchema.properties), steps },
  };
  const specFile = { description: 'A spec file: one experiment, or a list of them.', anyOf: [experiment, { type: 'array', minItems: 1, items: experiment }] };
  return editorSchema(specFile, 'socklab experiment spec');
}

export function buildLabSchema(): JsonSchema {
  return editorSchema(plainJson(LabSchema), 'socklab lab file');
}

function editorSchema(schema: JsonSchema, title: string): JsonSchema {
  return shareDefinitions({ $schema: DRAFT_07, title, ...toDraft07(schema) });
}

/** A JSON round trip drops TypeBox's symbol-keyed markers, leaving plain JSON Schema. */
function plainJson(schema: object): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}
