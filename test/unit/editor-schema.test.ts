import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { buildLabSchema, buildSpecSchema } from '../../harness/commands/editor-schema.js';
import { findSpecFiles } from '../../harness/spec/find-spec-files.js';
import { repoRoot } from '../support/paths.js';

describe('editor JSON schemas', () => {
  it('the checked-in spec.schema.json and lab.schema.json are up to date (npm run schema)', () => {
    expect(JSON.parse(readFileSync(path.join(repoRoot, 'spec.schema.json'), 'utf8'))).to.deep.equal(buildSpecSchema());
    expect(JSON.parse(readFileSync(path.join(repoRoot, 'lab.schema.json'), 'utf8'))).to.deep.equal(buildLabSchema());
  });

  it('accepts every spec in specs/ and rejects an unknown step key', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(buildSpecSchema());
    for (const file of findSpecFiles([path.join(repoRoot, 'specs')])) {
      expect(validate(parse(readFileSync(file, 'utf8'))), `${file}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
    }
    expect(validate({ id: 'a', title: 'A', steps: [{ run: 'x', argz: [] }] })).to.equal(false);
  });
});
