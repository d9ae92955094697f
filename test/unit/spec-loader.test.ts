import { expect } from 'chai';
import { loadInline, renderedErrors } from '../support/spec-source.js';

const valid = `
id: p1
title: Problem 1
tags: [task1]
steps:
  - run: tcp-client
    args: ["{{server.host}}", "{{ports.server}}"]
    stdin: "hello\\n"
    timeout: 3s
    expect: { error: ECONNREFUSED }
  - start: tcp-server
    args: ["{{ports.server}}"]
    ready: { tcp: "{{ports.server}}" }
`;

describe('spec loader', () => {
  it('loads a valid experiment with defaults, positions and port names', () => {
    const { experiments, diagnostics } = loadInline(valid);
    expect(diagnostics).to.deep.equal([]);
    expect(experiments).to.have.length(1);
    const experiment = experiments[0].experiment;
    expect(experiment).to.include({ id: 'p1', title: 'Problem 1', points: 1, timeoutMs: 60_000 });
    expect(experiment.portNames).to.deep.equal(['server']);
    expect(experiment.steps.map((step) => step.kind)).to.deep.equal(['run', 'start']);
    expect(experiment.steps[1].location).to.deep.equal({ file: 'spec.yaml', line: 11, column: 5 });
    expect(experiment.steps[0].expectLocations.error).to.deep.equal({ file: 'spec.yaml', line: 10, column: 22 });
  });

  it('accepts a list of experiments in one file', () => {
    const { experiments, diagnostics } = loadInline(`- id: a\n  title: A\n  steps: [{ sleep: 1ms }]\n- id: b\n  title: B\n  steps: [{ sleep: 2ms }]\n`);
    expect(diagnostics).to.deep.equal([]);
    expect(experiments.map((entry) => entry.experiment.id)).to.deep.equal(['a', 'b']);
  });

  it('names an unknown key with file:line:col, a caret and a did-you-mean hint', () => {
    expect(renderedErrors(`id: a\ntitle: A\ntagz: [x]\nsteps: [{ sleep: 1ms }]\n`)).to.deep.equal([
      [
        'spec.yaml:3:1: error: tagz: unknown key "tagz"; expected one of: id, title, tags, points, explain, timeout, skip, hidden, capture, topology, limits, partial, judge, steps',
        '  3 | tagz: [x]',
        '    | ^^^^',
        '  hint: did you mean "tags"?',
      ].join('\n'),
    ]);
  });

  it('says what was expected and what was found for a wrong port', () => {
    const errors = renderedErrors(`id: a\ntitle: A\nsteps:\n  - start: tcp-server\n    ready: { tcp: http }\n`);
    expect(errors).to.deep.equal([
      [
        'spec.yaml:5:19: error: steps[0].ready.tcp: expected a port 1–65535 or a template such as {{ports.server}}, got "http"',
        '  5 |     ready: { tcp: http }',
        '    |                   ^^^^',
      ].join('\n'),
    ]);
  });

  it('rejects a port out of range inside a list file, with the list index in the path', () => {
    const [error] = renderedErrors(`- id: a\n  title: A\n  steps:\n    - start: tcp-server\n      ready: { udp: 70000 }\n`);
    expect(error.split('\n')[0]).to.equal(
      'spec.yaml:5:21: error: [0].steps[0].ready.udp: expected a port 1–65535 or a template such as {{ports.server}}, got 70000',
    );
  });

  it('reports every error of a file at once, in source order', () => {
    const text = `id: Bad Id\ntitle: ""\nsteps:\n  - run: tcp-client\n    timeout: soon\n    expect: { exit: zero }\n`;
    const errors = loadInline(text).diagnostics.map((d) => `${d.line}:${d.column} ${d.path}`);
    expect(errors).to.deep.equal(['1:5 id', '2:8 title', '5:14 steps[0].timeout', '6:21 steps[0].expect.exit']);
  });

  it('suggests the step kind one edit away', () => {
    const [error] = renderedErrors(`id: a\ntitle: A\nsteps:\n  - runn: tcp-client\n`);
    expect(error).to.equal(
      [
        'spec.yaml:4:5: error: steps[0]: expected a step kind, one of: run, start, stop, wait, sleep, http, raw, origin, smtp-sink, browser, relay; found "runn"',
        '  4 |   - runn: tcp-client',
        '    |     ^^^^^^^^^^^^^^^^',
        '  hint: did you mean "run"?',
      ].join('\n'),
    );
  });

  it('rejects a step with two kinds', () => {
    const [diagnostic] = loadInline(`id: a\ntitle: A\nsteps:\n  - { run: tcp-client, start: tcp-server }\n`).diagnostics;
    expect(diagnostic.message).to.equal('a step has exactly one kind, found run and start');
  });

  it('names an unknown role with the roles the lab defines', () => {
    const [error] = renderedErrors(`id: a\ntitle: A\nsteps:\n  - run: tcp-clinet\n`);
    expect(error).to.equal(
      [
        'spec.yaml:4:10: error: steps[0].run: unknown role "tcp-clinet"; the lab file defines: tcp-server, tcp-client, udp-server, udp-client',
        '  4 |   - run: tcp-clinet',
        '    |          ^^^^^^^^^^',
        '  hint: did you mean "tcp-client"?',
      ].join('\n'),
    );
  });

  it('puts the caret under an unknown template variable inside its string', () => {
    const [error] = renderedErrors(`id: a\ntitle: A\nsteps:\n  - run: tcp-client\n    args: ["{{ports.server}}", "x {{server.hots}}"]\n`);
    expect(error).to.equal(
      [
        'spec.yaml:5:35: error: steps[0].args[1]: unknown template variable "server.hots"; known: ports.NAME, http.NAME, dir.ROLE, server.host, client.host, internet.host, tmp, fixtures, root, specDir',
        '  5 |     args: ["{{ports.server}}", "x {{server.hots}}"]',
        '    |                                   ^^^^^^^^^^^^^^^',
      ].join('\n'),
    );
  });

  it('reports an unclosed template', () => {
    const [diagnostic] = loadInline(`id: a\ntitle: A\nsteps:\n  - run: tcp-client\n    args: ["{{ports.server"]\n`).diagnostics;
    expect(diagnostic.message).to.equal('unclosed template in "{{ports.server": expected {{name}}');
  });

  it('requires stop and wait to name a service started earlier', () => {
    const text = `id: a\ntitle: A\nsteps:\n  - stop: tcp-server\n  - start: tcp-server\n    name: srv\n  - wait: svr\n`;
    const messages = loadInline(text).diagnostics.map((d) => [d.line, d.message, d.hint]);
    expect(messages).to.deep.equal([
      [4, 'no service named "tcp-server"; no service was started before this step', undefined],
      [7, 'no service named "svr"; started so far: srv', 'did you mean "srv"?'],
    ]);
  });

  it('reports a YAML syntax error with its position', () => {
    const [diagnostic] = loadInline(`id: a\ntitle: [unclosed\nsteps: []\n`).diagnostics;
    expect(diagnostic.message).to.match(/^invalid YAML: /);
    expect(diagnostic.line).to.be.greaterThan(1);
  });

  it('rejects a file that holds neither an experiment nor a list', () => {
    const [diagnostic] = loadInline(`just text\n`).diagnostics;
    expect(diagnostic.message).to.equal('expected an experiment (a mapping with id, title and steps) or a list of experiments, got "just text"');
  });

  it('reports a missing required key at the experiment', () => {
    const [diagnostic] = loadInline(`id: a\nsteps: [{ sleep: 1ms }]\n`).diagnostics;
    expect(diagnostic).to.include({ line: 1, column: 1, message: 'missing required key "title"' });
  });

  it('explains a bad text matcher key inside expect', () => {
    const [diagnostic] = loadInline(`id: a\ntitle: A\nsteps:\n  - run: tcp-client\n    expect: { stdout: { containz: X } }\n`).diagnostics;
    expect(diagnostic.path).to.equal('steps[0].expect.stdout.containz');
    expect(diagnostic.hint).to.equal('did you mean "contains"?');
  });

  it('checks network error names against the table, with a hint', () => {
    const [diagnostic] = loadInline(`id: a\ntitle: A\nsteps:\n  - run: tcp-client\n    expect: { error: ECONREFUSED }\n`).diagnostics;
    expect(diagnostic).to.include({ line: 5, column: 22, path: 'steps[0].expect.error', hint: 'did you mean "ECONNREFUSED"?' });
    expect(diagnostic.message).to.match(/^expected one of ECONNREFUSED, ECONNRESET, .*, got "ECONREFUSED"$/);
  });

  it('reports a duplicate id across files at the second one', async () => {
    const { loadSpecFiles } = await import('../../harness/spec/load-spec.js');
    const { TempDir } = await import('../support/temp-dir.js');
    const temp = new TempDir();
    try {
      const first = temp.write('a.yaml', 'id: same\ntitle: A\nsteps: [{ sleep: 1ms }]\n');
      const second = temp.write('b.yaml', 'title: B\nid: same\nsteps: [{ sleep: 1ms }]\n');
      const loaded = loadSpecFiles([first, second], { roles: new Set() });
      expect(loaded.experiments).to.have.length(1);
      expect(loaded.diagnostics.map((d) => [d.file, d.line, d.column, d.message])).to.deep.equal([
        [second, 2, 5, `duplicate experiment id "same"; first defined at ${first}:1:1`],
      ]);
    } finally {
      temp.remove();
    }
  });
});
