// The one ajv configuration for spec and lab validation, shared by the runtime fallback
// (schema-validator.ts) and the build step that precompiles the validators
// (scripts/precompile-validators.mjs). It takes ajv's class so that loading it stays the caller's choice.
import type { Ajv2020 } from 'ajv/dist/2020.js';

export function makeAjv(Ajv: typeof Ajv2020, options: { source?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, ...(options.source ? { code: { source: true } } : {}) });
  // `expected` is our annotation: the phrase used in "expected …, got …".
  ajv.addKeyword({ keyword: 'expected', schemaType: 'string' });
  return ajv;
}
