// `smtp-sink: NAME` — a real SMTP server inside the harness for the mail-client task; when the
// experiment ends, checks what it received. With `starttls: true` it offers STARTTLS with a
// certificate issued for the run by a CA made for the run; the CA's certificate is written to
// {{tmp}}/NAME.crt for the client to trust (as `--tls-ca FILE`, or Python's `cafile=`).
import { writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Duration, InterceptOption, PortRef } from '../schema/parts.js';

/** The ports mail clients send on: SMTP (25) and message submission (587). */
const SUBMISSION_PORTS = [25, 587];
import { parseDuration } from '../schema/duration.js';
import { Email, SinkExpectation, judgeSink } from '../expect/sink-expectations.js';
import type { StepKind } from './step-kind.js';
import { portTaken } from './shared/port-taken.js';
import { createCertificateAuthority, issueCertificate } from '../fixtures/certificates.js';

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
      const { ca, server } = await certificatesFor(context.hosts.server);
      tls = server;
      const caFile = path.join(context.tmpDir, `${name}.crt`);
      await writeFile(caFile, ca);
      notes.push(`STARTTLS offered; the CA that signed its certificate is in ${caFile}`);
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

/** A CA for this sink and the certificate it presents: for the address it listens on, and for localhost. */
async function certificatesFor(host: string): Promise<{ ca: string; server: { key: string; cert: string } }> {
  const ca = await createCertificateAuthority('socklab smtp-sink test CA');
  const subject = isIP(host) ? { names: ['localhost'], ips: [host] } : { names: [host, 'localhost'], ips: [] };
  const issued = await issueCertificate(ca, subject);
  return { ca: ca.certificate, server: { key: issued.privateKey, cert: issued.certificate } };
}
