// The two passes that turn the loader's schemas into the editor schemas, on small schemas written here:
// the draft-07 conversion and the shared definitions.
import { expect } from 'chai';
import { toDraft07 } from '../../harness/commands/draft-07.js';
import { shareDefinitions } from '../../harness/commands/shared-definitions.js';

describe('editor schema: draft-07 conversion', () => {
  it("turns the loader's `expected` phrase into the description, unless there is one", () => {
    expect(toDraft07({ type: 'string', expected: 'a role name' })).to.deep.equal({ description: 'a role name', type: 'string' });
    expect(toDraft07({ type: 'string', expected: 'a role name', description: 'Who runs.' })).to.deep.equal({ description: 'Who runs.', type: 'string' });
  });

  it('rewrites the 2020-12 keywords that have a draft-07 form, in subschemas too', () => {
    const converted = toDraft07({
      properties: {
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false },
        login: { type: 'object', dependentRequired: { user: ['password'] }, $defs: { Name: { type: 'string' } }, properties: { user: { $ref: '#/$defs/Name' } } },
      },
    });
    expect(converted).to.deep.equal({
      properties: {
        pair: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }], additionalItems: false },
        login: { type: 'object', dependencies: { user: ['password'] }, definitions: { Name: { type: 'string' } }, properties: { user: { $ref: '#/definitions/Name' } } },
      },
    });
  });

  it('writes a union of literals as an enum', () => {
    expect(toDraft07({ description: 'Where.', anyOf: [{ const: 'server', type: 'string' }, { const: 'client', type: 'string' }] })).to.deep.equal({
      description: 'Where.',
      type: 'string',
      enum: ['server', 'client'],
    });
  });

  it('refuses a keyword it cannot express in draft-07, naming where it is', () => {
    expect(() => toDraft07({ properties: { step: { type: 'object', unevaluatedProperties: false } } })).to.throw('#/properties/step: "unevaluatedProperties" is not a draft-07 keyword');
  });
});

describe('editor schema: shared definitions', () => {
  const port = { description: 'a port 1–65535 or a template such as {{ports.server}}', anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', pattern: '^\\{\\{.+\\}\\}$' }] };

  it('writes a schema used twice once, named after the property where it first occurs', () => {
    const shared = shareDefinitions({ type: 'object', properties: { listen: port, connect: { type: 'object', properties: { target: port } } } });
    expect(shared).to.deep.equal({
      type: 'object',
      properties: { listen: { $ref: '#/definitions/Listen' }, connect: { type: 'object', properties: { target: { $ref: '#/definitions/Listen' } } } },
      definitions: { Listen: port },
    });
  });

  it('names a titled schema after its title, and gives it a definition even when used once', () => {
    const titled = { title: 'PortRef', ...port };
    expect(shareDefinitions({ properties: { listen: titled } })).to.deep.equal({ properties: { listen: { $ref: '#/definitions/PortRef' } }, definitions: { PortRef: titled } });
  });

  it('leaves a small schema inline, however often it is used', () => {
    const small = { properties: { a: { type: 'integer', minimum: 0 }, b: { type: 'integer', minimum: 0 } } };
    expect(shareDefinitions(small)).to.deep.equal(small);
  });

  it('prefixes a taken name with the definition the schema occurs in', () => {
    const otherPort = { ...port, description: 'another port, with a description long enough to be worth sharing' };
    const step = { title: 'Relay', type: 'object', properties: { listen: otherPort, again: otherPort } };
    const shared = shareDefinitions({ properties: { listen: port, connect: port, relay: step } }) as { definitions: Record<string, unknown> };
    expect(Object.keys(shared.definitions)).to.deep.equal(['Listen', 'Relay', 'RelayListen']);
  });
});
