// The harness's own probes and fixtures end to end: http, raw, origin, smtp-sink and browser steps,
// each shown to pass and to fail.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { fixtureProgram, repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';

const logo = path.join(repoRoot, 'test', 'fixtures', 'programs', 'echo-stdin.mjs');

async function run(temp: TempDir, spec: string) {
  const lab = temp.write(
    'lab.yaml',
    `lab: probes\nroles:\n  send-mail: { description: smtplib client, usage: "HOST PORT FROM TO SUBJECT BODY", reference: [python3, "${fixtureProgram('send-mail.py')}"] }\n`,
  );
  temp.write('specs/probe.yaml', spec);
  const out = path.join(temp.path, 'reports');
  const cli = await runCli(['run', path.join(temp.path, 'specs'), '--lab', lab, '--out', out, '-r', 'json,console']);
  const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
  return { cli, results, out, byId: (id: string) => results.experiments.find((experiment) => experiment.id === id)! };
}

describe('probe and fixture steps (end to end)', function () {
  this.timeout(120_000);
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  it('http + origin: status, headers, exact bytes, request counts, parallel wall time, background', async () => {
    const { results, byId } = await run(
      temp,
      `- id: origin-pass
  title: the origin serves and counts
  steps:
    - origin: origin
      port: "{{ports.origin}}"
      routes:
        /a: { body: "hello", headers: { X-Test: yes } }
        /bin: { file: "${logo}" }
        /slow: { body: "late", delay: 400ms }
        /hang: { hang: true }
      expect: { requests: { /a: 2, /slow: 3 }, total: { min: 7 } }
    - http: "http://{{internet.host}}:{{ports.origin}}/a"
      expect: { status: 200, headers: { x-test: "yes", content-type: { contains: text/plain } }, body: { equals: hello } }
    - http: "http://{{internet.host}}:{{ports.origin}}/a"
      expect: { body: { bytes: 5 } }
    - http: "http://{{internet.host}}:{{ports.origin}}/bin"
      expect: { body: { file: "${logo}" } }
    - http: "http://{{internet.host}}:{{ports.origin}}/hang"
      background: true
      timeout: 1s
      expect: { error: ETIMEDOUT }
    - http: "http://{{internet.host}}:{{ports.origin}}/slow"
      parallel: 3
      expect: { body: { equals: late }, within: 3s }
    - http: "http://{{internet.host}}:{{ports.origin}}/missing"
      expect: { status: 404 }
- id: origin-fail
  title: wrong expectations fail with what was seen
  steps:
    - origin: origin
      port: "{{ports.origin}}"
      routes: { /a: { body: "hello" } }
      expect: { requests: { /a: 5 } }
    - http: "http://{{internet.host}}:{{ports.origin}}/a"
      expect: { status: 201, body: { file: "${logo}" } }
    - http: "http://{{server.host}}:{{ports.closed}}/a"
      expect: { status: 200 }
`,
    );
    expect(byId('origin-pass').status, JSON.stringify(byId('origin-pass').failures, null, 1)).to.equal('passed');
    const failed = byId('origin-fail');
    expect(failed.failures.map((failure) => failure.message)).to.deep.equal([
      'requests[/a]: expected 5, got 1 requests for /a reached the origin',
      'status: expected 201, got 200 OK',
      `body.file: expected the ${readFileSync(logo).length} bytes of ${logo}, got 5 bytes, first difference at byte 0`,
      failed.failures[3].message,
    ]);
    expect(failed.failures[3].message).to.match(/^response: expected an HTTP response, got ECONNREFUSED: /);
    expect(results.counts).to.include({ passed: 1, failed: 1 });
  });

  it('raw: exact bytes and whether the server closed, including a held connection', async () => {
    const { byId } = await run(
      temp,
      `id: raw
title: raw bytes to the origin
steps:
  - origin: origin
    port: "{{ports.origin}}"
    routes: { /a: { body: "hello" } }
  - raw: "{{internet.host}}:{{ports.origin}}"
    send: "GET /a HTTP/1.0\\r\\n\\r\\n"
    expect: { received: { matches: "^HTTP/1.1 200 OK", contains: hello }, closed: true }
  - raw: "{{internet.host}}:{{ports.origin}}"
    send: "GET /a HTTP/1.1\\r\\n"
    hold: true
    expect: { closed: false, received: { empty: true } }
  - raw: "{{internet.host}}:{{ports.origin}}"
    send: "NONSENSE\\r\\n\\r\\n"
    expect: { received: { contains: "400 Bad Request" } }
`,
    );
    expect(byId('raw').status, JSON.stringify(byId('raw').failures, null, 1)).to.equal('passed');
  });

  it('smtp-sink: records messages from an independent client; STARTTLS + AUTH; rejections', async () => {
    const { byId } = await run(
      temp,
      `- id: sink-plain
  title: a message arrives with its envelope and headers
  steps:
    - smtp-sink: sink
      port: "{{ports.smtp}}"
      expect:
        messages: 1
        from: alice@example.com
        to: [bob@example.com, carol@example.com]
        headers: { subject: "Hello there" }
        body: { contains: "first line" }
        commands: [EHLO, MAIL, RCPT, RCPT, DATA, QUIT]
    - run: send-mail
      args: ["{{internet.host}}", "{{ports.smtp}}", alice@example.com, "bob@example.com,carol@example.com", "Hello there", "first line"]
- id: sink-tls
  title: STARTTLS and AUTH with a certificate made for the run
  steps:
    - smtp-sink: sink
      port: "{{ports.smtp}}"
      requireTls: true
      auth: { user: alice, password: s3cret }
      expect: { messages: 1, secure: true, user: alice, commands: [EHLO, STARTTLS, EHLO, AUTH, MAIL] }
    - run: send-mail
      args: ["{{internet.host}}", "{{ports.smtp}}", alice@example.com, bob@example.com, S, B, --starttls, "{{tmp}}/sink.crt", --login, alice, s3cret]
- id: sink-reject
  title: a rejected recipient means no message
  steps:
    - smtp-sink: sink
      port: "{{ports.smtp}}"
      rejectRecipients: [nobody@example.com]
      expect: { messages: 0 }
    - run: send-mail
      args: ["{{internet.host}}", "{{ports.smtp}}", alice@example.com, nobody@example.com, S, B]
      expect: { exit: 1, stderr: { contains: "550" } }
- id: sink-fail
  title: a wrong expectation on the sink fails
  steps:
    - smtp-sink: sink
      port: "{{ports.smtp}}"
      expect: { from: mallory@example.com, commands: [HELO] }
    - run: send-mail
      args: ["{{internet.host}}", "{{ports.smtp}}", alice@example.com, bob@example.com, S, B]
`,
    );
    for (const id of ['sink-plain', 'sink-tls', 'sink-reject']) expect(byId(id).status, `${id}: ${JSON.stringify(byId(id).failures, null, 1)}`).to.equal('passed');
    expect(byId('sink-fail').failures.map((failure) => failure.message)).to.deep.equal([
      'from: expected MAIL FROM:<mallory@example.com>, got MAIL FROM:<alice@example.com>',
      'commands: expected HELO, got EHLO → MAIL → RCPT → DATA → QUIT (no HELO where expected)',
    ]);
  });

  it('browser: loads a page in headless chromium, checks its title, and saves a screenshot', async function () {
    needsTool(this, 'chromium');
    const { byId, out } = await run(
      temp,
      `- id: page
  title: a page in a real browser
  steps:
    - origin: origin
      port: "{{ports.origin}}"
      routes: { /p: { body: "<html><head><title>Hi there</title></head><body><h1>Big hello</h1></body></html>", headers: { Content-Type: text/html } } }
    - browser: "http://{{internet.host}}:{{ports.origin}}/p"
      expect: { title: "Hi there", text: { contains: "Big hello" } }
- id: page-wrong-title
  title: a wrong title fails
  steps:
    - origin: origin
      port: "{{ports.origin}}"
      routes: { /p: { body: "<title>Other</title>", headers: { Content-Type: text/html } } }
    - browser: "http://{{internet.host}}:{{ports.origin}}/p"
      screenshot: false
      expect: { title: "Hi there" }
`,
    );
    const page = byId('page');
    expect(page.status, JSON.stringify(page.failures)).to.equal('passed');
    const [screenshot] = page.steps[1].artifacts ?? [];
    expect(screenshot).to.equal('page-step2.png');
    expect(readFileSync(path.join(out, screenshot)).subarray(1, 4).toString()).to.equal('PNG');
    expect(byId('page-wrong-title').failures[0].message).to.equal('title: expected "Hi there", got "Other"');
  });
});
