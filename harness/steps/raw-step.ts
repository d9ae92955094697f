// `raw: HOST:PORT` — sends exact bytes over TCP and checks what comes back (malformed requests, a
// slow client). `hold: true` keeps the connection open, sending nothing more, until the experiment
// ends: a stalled client that must not block the next one.
import { Type, type Static } from '@sinclair/typebox';
import { Duration } from '../schema/parts.js';
import { NetworkError, TextMatcher } from '../expect/expectation-schemas.js';
import { formatDuration } from '../schema/duration.js';
import { describeNetworkError } from '../expect/network-errors.js';
import { matchText, preview } from '../expect/text-matcher.js';
import { rawExchange, type RawExchange } from '../probes/raw-exchange.js';
import type { ExpectationResult, RawDetails } from '../model/result.js';
import { verdict } from '../expect/verdict.js';
import { stepTimeoutMs } from './shared/step-timeout.js';
import type { StepKind } from './step-kind.js';

const DEFAULT_RAW_TIMEOUT_MS = 5_000;

const RawStepSchema = Type.Object(
  {
    raw: Type.String({ pattern: '^(\\[[^\\]]+\\]|\\{\\{[^}]+\\}\\}|[^:\\s{]+):(\\d+|\\{\\{[^}]+\\}\\})$', expected: 'HOST:PORT, e.g. "{{server.host}}:{{ports.web}}"' }),
    title: Type.Optional(Type.String()),
    send: Type.String({ description: 'Bytes to send (as UTF-8; use YAML double quotes for \\r\\n).' }),
    timeout: Type.Optional(Duration),
    hold: Type.Optional(Type.Boolean({ description: 'Keep the connection open until the experiment ends; checked then.' })),
    expect: Type.Optional(
      Type.Object(
        {
          received: Type.Optional(TextMatcher),
          closed: Type.Optional(Type.Boolean({ description: 'The server closed the connection before the timeout (true) or kept it open (false).' })),
          error: Type.Optional(NetworkError),
        },
        { additionalProperties: false, expected: 'raw expectations: received, closed, error' },
      ),
    ),
  },
  { additionalProperties: false, expected: 'a raw step: raw, send, timeout, hold, expect' },
);
type RawStep = Static<typeof RawStepSchema>;

export const rawStep: StepKind<RawStep> = {
  key: 'raw',
  schema: RawStepSchema,
  summary: 'Send exact bytes over TCP and check the bytes that come back.',
  runsOn: 'client',
  label: (step) => step.title ?? `raw ${step.raw} ${preview(step.send, 40)}`,
  async execute(step, context) {
    const separator = step.raw.lastIndexOf(':');
    const host = step.raw.slice(0, separator).replace(/^\[|\]$/g, '');
    const port = Number(step.raw.slice(separator + 1));
    const timeoutMs = stepTimeoutMs(step.timeout, DEFAULT_RAW_TIMEOUT_MS, context);
    const network = await context.network();
    const connect = network.connectTcp.bind(network);
    if (step.hold) {
      let release!: () => void;
      const holdUntil = new Promise<void>((resolve) => (release = resolve));
      const exchange = rawExchange({ host, port, send: Buffer.from(step.send), timeoutMs, holdUntil, connect });
      context.atEnd(async () => {
        release();
        const result = await exchange;
        return { expectations: judge(step, result, timeoutMs), details: describe(step, { host, port }, result) };
      });
      return { expectations: [], notes: ['connection held open until the experiment ends'] };
    }
    const result = await rawExchange({ host, port, send: Buffer.from(step.send), timeoutMs, connect });
    return { expectations: judge(step, result, timeoutMs), details: describe(step, { host, port }, result) };
  },
};

function judge(step: RawStep, exchange: RawExchange, timeoutMs: number): ExpectationResult[] {
  const expect = step.expect ?? {};
  const checks: ExpectationResult[] = [];
  if (expect.error !== undefined) {
    const ok = exchange.error?.code === expect.error;
    const actual = exchange.error ? `${exchange.error.code} (${exchange.error.message})` : 'no error';
    const values = { kind: 'error-code', expected: expect.error, actual: exchange.error?.code ?? null } as const;
    checks.push({ ...verdict('error', ok, `${expect.error}: ${describeNetworkError(expect.error)}`, actual, values), message: ok ? `error: ${actual}` : `error: expected ${expect.error}, got ${actual}` });
  } else if (exchange.error && exchange.error.code !== 'ECONNRESET') {
    const values = { kind: 'error-code', expected: null, actual: exchange.error.code } as const;
    checks.push({ ...verdict('connect', false, 'a connection', `${exchange.error.code}: ${exchange.error.message}`, values), message: `could not talk to ${step.raw}: ${exchange.error.message}` });
  }
  if (expect.closed !== undefined) {
    const actual = exchange.closed ? `closed after ${formatDuration(exchange.durationMs)}` : `still open after ${formatDuration(timeoutMs)}`;
    const ok = exchange.closed === expect.closed;
    const values = { kind: 'flag', expected: expect.closed, actual: exchange.closed } as const;
    checks.push({ ...verdict('closed', ok, expect.closed ? 'the server closes the connection' : 'the connection stays open', actual, values), message: ok ? `closed: ${actual}` : `closed: expected ${expect.closed ? 'a close' : 'no close'}, got ${actual}` });
  }
  if (expect.received) checks.push(...matchText('received', expect.received, exchange.received.toString('utf8')));
  return checks;
}

function describe(step: RawStep, target: RawDetails['target'], exchange: RawExchange): RawDetails {
  return {
    kind: 'raw',
    target,
    sentBytes: Buffer.byteLength(step.send),
    sentPreview: preview(step.send, 200),
    receivedBytes: exchange.received.length,
    receivedPreview: exchange.received.subarray(0, 2048).toString('utf8'),
    closed: exchange.closed,
    error: exchange.error,
    durationMs: exchange.durationMs,
  };
}
