// `smtp-sink: NAME` — a real SMTP server inside the harness for the mail-client task; when the
// experiment ends, checks what it received. With `starttls: true` it offers STARTTLS using a
// certificate generated for the run, written to {{tmp}}/NAME.crt for the client to trust.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Duration, InterceptOption, PortRef } from '../schema/parts.js';

/** The ports mail clients send on: SMTP (25) and message submission (587). */
const SUBMISSION_PORTS = [25, 587];
import { parseDuration } from '../schema/duration.js';
import { Email, SinkExpectation, judgeSink } from '../expect/sink-expectations.js';
import type { StepKind } from './step-kind.js';
import { portTaken } from './shared/port-taken.js';


const SinkStepSchema = Type.Object(
  {
    'smtp-sink': Type.String({ pattern: '^[a-z][a-z0-9-]*$', expected: 'a name for the sink, such as sink' }),
    title: Type.Optional(Type.String()),
    port: PortRef,
    intercept: Type.Optional(InterceptOption),
    rejectSenders: Type.Optional(Type.Array(Email)),
    rejectRecipients: Type.Optional(Type.Array(Email)),
    starttls: Type.Optional(Type.Boolean()),
    requireTls: Type.Optional(Type.Boolean()),
    auth: Type.Optional(Type.Object({ user: Type.String(), password: Type.String() }, { additionalProperties: false, expected: 'auth: { user, password }' })),
    delay: Type.Optional(Duration),
    expect: Type.Optional(SinkExpectation),
  },
  { additionalProperties: false, expected: 'an smtp-sink step: smtp-sink, port, intercept, rejectSenders, rejectRecipients, starttls, requireTls, auth, delay, expect' },
);
type SinkStep = Static<typeof SinkStepSchema>;

export const smtpSinkStep: StepKind<SinkStep> = {
  key: 'smtp-sink',
  schema: SinkStepSchema,
  summary: 'Start an SMTP server inside the harness that records what it receives; check it at the end.',
  runsOn: 'internet',
  label: (step) => step.title ?? `smtp-sink ${step['smtp-sink']} on port ${step.port}`,
  defines: (step) => step['smtp-sink'],
  async execute(step, context) {
    const name = step['smtp-sink'];
    const notes: string[] = [];
    let tls: { key: string; cert: string } | undefined;
    if (step.starttls || step.requireTls) {
      // Loaded only when needed: certificate generation and the SMTP server library are slow to import.
      const { generate } = await import('selfsigned');
      const pems = await generate([{ name: 'commonName', value: context.hosts.server }], {
        keySize: 2048,
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: context.hosts.server }, { type: 2, value: 'localhost' }] }],
      });
      tls = { key: pems.private, cert: pems.cert };
      const certFile = path.join(context.tmpDir, `${name}.crt`);
      await writeFile(certFile, pems.cert);
      notes.push(`STARTTLS offered; certificate in ${certFile}`);
    }
    const { SmtpSink } = await import('../fixtures/smtp-sink.js');
    const sink = new SmtpSink({
      rejectSenders: step.rejectSenders,
      rejectRecipients: step.rejectRecipients,
      requireTls: step.requireTls,
      auth: step.auth,
      delayMs: step.delay === undefined ? undefined : (parseDuration(step.delay) ?? 0),
      tls,
    });
    let port: number;
    try {
      port = await sink.listen(await context.network(), context.hosts.internet, Number(step.port));
    } catch (error) {
      return portTaken('smtp-sink', step.port, error);
    }
    context.onTeardown(() => sink.close());
    await context.offer({ name, host: 'internet', protocol: 'tcp', planned: port, actual: port, intercept: step.intercept === false ? [] : (step.intercept ?? SUBMISSION_PORTS) });
    const listening = { host: context.hosts.internet, port };
    context.atEnd(async () => ({
      expectations: judgeSink(step.expect ?? {}, sink),
      details: {
        kind: 'smtp-sink',
        listening,
        starttls: tls !== undefined,
        messages: sink.messages.map(({ raw: _raw, ...message }) => message),
        sessions: [...sink.sessions.values()].map((session) => ({ ...session, commands: [...session.commands] })),
      },
    }));
    return { expectations: [], notes: [`smtp-sink listening on ${context.hosts.internet}:${port}`, ...notes] };
  },
};
