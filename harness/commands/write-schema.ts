// `npm run schema`: writes spec.schema.json and lab.schema.json at the repository root.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { root } from '../socklab-root.js';
import { buildLabSchema, buildSpecSchema } from './editor-schema.js';

for (const [file, schema] of [
  ['spec.schema.json', buildSpecSchema()],
  ['lab.schema.json', buildLabSchema()],
] as const) {
  writeFileSync(path.join(root, file), `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}
