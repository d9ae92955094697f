// `smtp-sink: NAME` — a real SMTP server inside the harness for the mail-client task; when the
// experiment ends, checks what it received. With `starttls: true` it offers STARTTLS with a
// certificate issued by a CA made for the run; the CA's certificate is written to {{tmp}}/NAME.crt
// for the client to trust (as `--tls-ca FILE`, or Python's `cafile=`).
// In an experiment's world it is a mail server of the simulated Internet, as a lab-style client
// expects one (`mailserver = ('smtp.gmail.com', 587)`): every name resolves to it, it answers on 25
// and 587, on the usual test servers' 1025, 2525 and 8025 (and 465 with implicit TLS), offers STARTTLS unless `starttls: false`, with a certificate
// for whatever name the client asks for, and the programs' usual trust settings (SSL_CERT_FILE,
// REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, CURL_CA_BUNDLE) include the run's CA.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Duration, InterceptOption, PortRef } from '../schema/parts.js';
import { parseDuration } from '../schema/duration.js';
import { Email, SinkExpectation, judgeSink } from '../expect/sink-expectations.js';
import type { StepContext, StepKind } from './step-kind.js';
import { portTaken } from './shared/port-taken.js';
import { certificatePerName, issueCertificate, runCertificateAuthority, type CertificateAuthority } from '../fixtures/certificates.js';

/**
 * The ports mail clients send on: SMTP (25), message submission (587), and the test servers a lab's
 * comments name (`python3 -m aiosmtpd -n -l localhost:1025`, smtpd's 1025, 2525, aiosmtpd's 8025).
 */
const SUBMISSION_PORTS = [25, 587, 1025, 2525, 8025];
/** SMTP over implicit TLS (RFC 8314). */
const SUBMISSIONS_PORT = 465;
/** Debian's bundle of the system's trusted CAs, which programs keep trusting beside the run's CA. */
const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

const SinkStepSchema = Type.Object(
  {
    'smtp-sink': Type.String({ pattern: '^[a-z][a-z0-9-]*$', expected: 'a name for the sink, such as sink' }),
    title: Type.Optional(Type.String()),
    port: PortRef,
    intercept: Type.Optional(InterceptOption),
    rejectSenders: Type.Optional(Type.Array(Email)),
    rejectRecipients: Type.Optional(Type.Array(Email)),
    starttls: Type.Optional(Type.Boolean({ description: "Offer STARTTLS. Default: in the experiment's world yes (as real mail servers do), on loopback no." })),
    requireTls: Type.Optional(Type.Boolean()),
    auth: Type.Optional(
      Type.Union([Type.Object({ user: Type.String(), password: Type.String() }, { additionalProperties: false }), Type.Literal('any')], {
        expected: 'auth: { user, password }, or any',
        description: 'Require AUTH with these credentials; `any`: offer AUTH and accept (and record) every user and password, as a lab client logs in to its real account.',
      }),
    ),
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
  timed: (step) => step.delay !== undefined,
  defines: (step) => step['smtp-sink'],
  async execute(step, context) {
    const name = step['smtp-sink'];
    const notes: string[] = [];
    const withTls = step.requireTls === true || (step.starttls ?? context.inWorld);
    let tls: { key: string; cert: string; SNICallback?: ReturnType<typeof certificatePerName> } | undefined;
    if (withTls) {
      const ca = await runCertificateAuthority();
      const issued = await issueCertificate(ca, { names: ['localhost'], ips: [context.hosts.internet] });
      tls = { key: issued.privateKey, cert: issued.certificate, ...(context.inWorld ? { SNICallback: certificatePerName(ca) } : {}) };
      const caFile = path.join(context.tmpDir, `${name}.crt`);
      await writeFile(caFile, ca.certificate);
      notes.push(`STARTTLS offered; the CA that signed its certificate is in ${caFile}`);
      if (context.inWorld) notes.push(await trustTheRunCa(context, ca));
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
    const network = await context.network();
    let port: number;
    try {
      port = await sink.listen(network, context.hosts.internet, Number(step.port));
    } catch (error) {
      return portTaken('smtp-sink', step.port, error);
    }
    context.onTeardown(() => sink.close());
    const intercept = step.intercept === false ? [] : (step.intercept ?? SUBMISSION_PORTS);
    const watch = step.intercept === false ? [...SUBMISSION_PORTS, SUBMISSIONS_PORT] : [];
    await context.offer({ name, host: 'internet', protocol: 'tcp', planned: port, actual: port, intercept, watch, strict: step.intercept === false });
    notes.unshift(`smtp-sink listening on ${context.hosts.internet}:${port}`);
    if (context.inWorld && tls && step.intercept !== false) {
      // A client of port 465 speaks TLS from the first byte: a second listener, recording into the same log.
      const securePort = await sink.listenImplicitTls(network, context.hosts.internet, 0);
      await context.offer({ name: `${name} (implicit TLS)`, host: 'internet', protocol: 'tcp', planned: securePort, actual: securePort, intercept: [SUBMISSIONS_PORT] });
      notes.push(`implicit TLS (port ${SUBMISSIONS_PORT}) answered on ${context.hosts.internet}:${securePort}`);
    }
    const listening = { host: context.hosts.internet, port };
    context.atEnd(async () => ({
      expectations: judgeSink(step.expect ?? {}, sink),
      details: {
        kind: 'smtp-sink',
        listening,
        starttls: tls !== undefined,
        messages: sink.messages.map(({ raw: _raw, ...message }) => message),
        sessions: [...sink.sessions.values()].map((session) => ({ ...session, commands: [...session.commands], early: sink.earlyCommands(session.remote) })),
      },
    }));
    return { expectations: [], notes };
  },
};

/**
 * Programs started after this step trust the run's CA beside the system's: the usual variables of
 * OpenSSL (Python's ssl, C), Python requests, Node and curl point at a bundle in the experiment's folder.
 */
async function trustTheRunCa(context: StepContext, ca: CertificateAuthority): Promise<string> {
  const system = existsSync(SYSTEM_CA_BUNDLE) ? await readFile(SYSTEM_CA_BUNDLE, 'utf8') : '';
  const bundle = path.join(context.tmpDir, 'socklab-ca-bundle.pem');
  const runCa = path.join(context.tmpDir, 'socklab-ca.pem');
  await writeFile(bundle, `${system}\n${ca.certificate}`);
  await writeFile(runCa, ca.certificate);
  context.shareEnvironment({ SSL_CERT_FILE: bundle, REQUESTS_CA_BUNDLE: bundle, CURL_CA_BUNDLE: bundle, NODE_EXTRA_CA_CERTS: runCa });
  return `programs trust the run's CA (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE → ${bundle}; NODE_EXTRA_CA_CERTS → ${runCa})`;
}
