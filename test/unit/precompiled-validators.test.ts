// The build compiles the spec and lab validators ahead of time (scripts/precompile-validators.mjs):
// every schema the loader uses must find its precompiled validator, and a schema the build did not
// see is compiled on the spot with the same options and gives the same diagnostics.
import { expect } from 'chai';
import { Type } from '@sinclair/typebox';
import { ExperimentSchema } from '../../harness/spec/experiment-schema.js';
import { LabSchema } from '../../harness/lab/lab-schema.js';
import { stepKinds } from '../../harness/steps/registry.js';
import { validateAgainst, validatorSource } from '../../harness/spec/schema-validator.js';
import { YamlSource } from '../../harness/spec/yaml-source.js';

describe('precompiled spec validators', () => {
  it('cover the experiment, the lab and every step kind', () => {
    const sources = { experiment: validatorSource(ExperimentSchema), lab: validatorSource(LabSchema), ...Object.fromEntries([...stepKinds].map(([name, kind]) => [name, validatorSource(kind.schema)])) };
    expect(Object.entries(sources).filter(([, source]) => source !== 'precompiled')).to.deep.equal([]);
  });

  it('a schema unknown to the build is compiled on the spot, with positioned, annotated errors', () => {
    const schema = Type.Object({ port: Type.Integer({ minimum: 1, expected: 'a port number' }) }, { additionalProperties: false });
    expect(validatorSource(schema)).to.equal('compiled');
    const source = new YamlSource('test.yaml', 'port: "eighty"\nprot: 1\n');
    const messages = validateAgainst(schema, source.toJS(), source).map((diagnostic) => `${diagnostic.line}:${diagnostic.column} ${diagnostic.message}`);
    expect(messages).to.deep.equal(['1:7 expected a port number, got "eighty"', '2:1 unknown key "prot"; expected one of: port']);
  });
});
