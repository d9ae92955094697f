import { expect } from 'chai';
import { checkTemplateExpression, collectPortNames, renderDeep, renderTemplate, TemplateError } from '../../harness/spec/template.js';

describe('templates', () => {
  const values = { 'ports.server': '4000', 'server.host': '127.0.0.1', tmp: '/tmp/x' };

  it('renders variables, with or without inner spaces', () => {
    expect(renderTemplate('{{server.host}}:{{ ports.server }}', values)).to.equal('127.0.0.1:4000');
  });

  it('renders every string in nested lists and mappings, leaving other values alone', () => {
    expect(renderDeep({ args: ['{{ports.server}}', 3], ready: { tcp: '{{ports.server}}' }, flag: true }, values)).to.deep.equal({
      args: ['4000', 3],
      ready: { tcp: '4000' },
      flag: true,
    });
  });

  it('never leaves an unknown variable in place', () => {
    expect(() => renderTemplate('{{ports.other}}', values)).to.throw(TemplateError, 'unknown template variable "ports.other"');
  });

  it('collects port names in first-seen order, once each', () => {
    expect([...collectPortNames([{ a: '{{ports.b}} {{ports.a}}' }, '{{ports.b}}', '{{tmp}}'])]).to.deep.equal(['b', 'a']);
    // {{http.origin}} needs the origin's port as much as {{ports.origin}} does.
    expect([...collectPortNames(['http://{{http.origin}}/a', '{{ports.b}}'])]).to.deep.equal(['origin', 'b']);
  });

  it('accepts known variables and any port name, rejects the rest with the list', () => {
    expect(checkTemplateExpression('ports.web-1')).to.equal(null);
    expect(checkTemplateExpression('fixtures')).to.equal(null);
    expect(checkTemplateExpression('http.origin')).to.equal(null);
    expect(checkTemplateExpression('ports.Web')).to.equal('port names are lowercase letters, digits, - and _, got "Web"');
    expect(checkTemplateExpression('host')).to.match(/^unknown template variable "host"; known: ports.NAME, http.NAME, dir.ROLE, server.host/);
  });
});
