// `http: URL` — a real HTTP request (optionally through a proxy), with expectations on the status,
// headers, body bytes or the network error. `parallel: N` sends N at once (the proxy's concurrency
// check: `within` then bounds the whole group); `background: true` leaves it running while later steps
// go on, and checks it when the experiment ends (a client stalled on a slow origin).
import { Type, type Static } from '@sinclair/typebox';
import { Duration, Env } from '../schema/parts.js';
import { parseDuration, formatDuration } from '../schema/duration.js';
import { HttpExpectation, evaluateHttp } from '../expect/http-expectations.js';
import { parseHttpUrl, sendHttpRequest, type HttpExchange } from '../probes/http-request.js';
import type { ExpectationResult, HttpDetails, HttpExchangeRecord } from '../model/result.js';
import { verdict } from '../expect/verdict.js';
import { stepTimeoutMs } from './shared/step-timeout.js';
import type { StepKind } from './step-kind.js';
import type { Stillness } from '../process/stillness.js';

const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

const HttpStepSchema = Type.Object(
  {
    http: Type.String({ pattern: '^http://', expected: 'an http:// URL' }),
    title: Type.Optional(Type.String()),
    method: Type.Optional(Type.String({ pattern: '^[A-Za-z]+$', expected: 'an HTTP method such as GET' })),
    headers: Type.Optional(Env),
    body: Type.Optional(Type.String()),
    proxy: Type.Optional(Type.String({ pattern: '^http://', expected: 'a proxy URL such as http://127.0.0.1:8888' })),
    timeout: Type.Optional(Duration),
    parallel: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, expected: 'a number of simultaneous requests 1–200' })),
    background: Type.Optional(Type.Boolean({ description: 'Do not wait: later steps run meanwhile; checked at the end.' })),
    expect: Type.Optional(HttpExpectation),
  },
  { additionalProperties: false, expected: 'an http step: http, method, headers, body, proxy, timeout, parallel, background, expect' },
);
type HttpStep = Static<typeof HttpStepSchema>;

export const httpStep: StepKind<HttpStep> = {
  key: 'http',
  schema: HttpStepSchema,
  summary: 'Send an HTTP request (optionally through a proxy, several at once, or in the background) and check the response.',
  runsOn: 'client',
  label: (step) => step.title ?? [step.method ?? 'GET', step.http, step.proxy ? `via ${step.proxy}` : '', step.parallel ? `×${step.parallel}` : ''].filter(Boolean).join(' '),
  async execute(step, context) {
    const timeoutMs = stepTimeoutMs(step.timeout, DEFAULT_HTTP_TIMEOUT_MS, context);
    const count = step.parallel ?? 1;
    const network = await context.network();
    const connect = network.connectTcp.bind(network);
    const started = performance.now();
    // Once every request is sent, a step in the foreground ends as its timeout would when no response
    // can come any more: every program of the experiment waits for input that nothing will send.
    const decided = new AbortController();
    const settled = new AbortController();
    let stillness: Stillness | null = null;
    let sent = 0;
    let lastProgress = -Infinity;
    const onSent = async () => {
      if (step.background || ++sent < count) return;
      // Stillness counts only when no response byte arrived since it began (socklab is the reader here).
      do stillness = await context.untilStill(null, started + timeoutMs, AbortSignal.any([context.signal, settled.signal]));
      while (stillness && lastProgress >= stillness.since);
      if (stillness) decided.abort(`no complete response, and none could come any more: every program waited for input that nothing was going to send (${stillness.waits.join(', ')})`);
    };
    const exchanges = Promise.all(
      Array.from({ length: count }, () =>
        sendHttpRequest({ url: step.http, method: step.method, headers: step.headers, body: step.body, proxy: step.proxy, timeoutMs, signal: context.signal, decided: decided.signal, onSent: () => void onSent(), onProgress: () => (lastProgress = performance.now()), connect }),
      ),
    ).finally(() => settled.abort());
    const judge = async () => {
      const results = await exchanges;
      const wallMs = Math.round(performance.now() - started);
      const notes = count > 1 ? [`${count} requests in ${formatDuration(wallMs)}`] : [];
      if (stillness) notes.push(`stopped after ${formatDuration(wallMs)} instead of waiting out its ${formatDuration(timeoutMs)} timeout: no response could come any more`);
      return { expectations: judgeAll(step, results, wallMs), details: describeStep(step, results, wallMs), notes };
    };
    if (step.background) {
      context.atEnd(judge);
      return { expectations: [], notes: ['sent in the background; checked when the experiment ends'] };
    }
    return judge();
  },
};

/** Each request is checked on its own; with several, `within` bounds the group's wall time instead. */
function judgeAll(step: HttpStep, exchanges: HttpExchange[], wallMs: number): ExpectationResult[] {
  const { within, ...perRequest } = step.expect ?? {};
  const single = exchanges.length === 1;
  const checks = exchanges.flatMap((exchange, index) =>
    evaluateHttp(single ? (step.expect ?? {}) : perRequest, exchange)
      .filter((check) => single || !check.ok || index === 0)
      .map((check) => (single ? check : { ...check, name: `[${index + 1}] ${check.name}` })),
  );
  if (!single && within !== undefined) {
    const limit = parseDuration(within) ?? 0;
    const ok = wallMs <= limit;
    const values = { kind: 'duration', limitMs: limit, actualMs: wallMs } as const;
    checks.push({ ...verdict('within', ok, `all ${exchanges.length} within ${formatDuration(limit)}`, `took ${formatDuration(wallMs)}`, values), message: ok ? `within: took ${formatDuration(wallMs)}` : `within: expected all ${exchanges.length} requests within ${formatDuration(limit)}, took ${formatDuration(wallMs)}` });
  }
  return checks;
}

function describeStep(step: HttpStep, exchanges: HttpExchange[], wallMs: number): HttpDetails {
  const target = parseHttpUrl(step.http);
  const connectedTo = step.proxy ? parseHttpUrl(step.proxy) : target;
  return {
    kind: 'http',
    request: { method: step.method ?? 'GET', url: step.http, path: target?.path ?? step.http, headers: step.headers ?? {}, bodyBytes: Buffer.byteLength(step.body ?? '') },
    connectedTo: connectedTo ? { host: connectedTo.host, port: connectedTo.port } : null,
    ...(step.proxy ? { proxy: step.proxy } : {}),
    exchanges: exchanges.map(describeExchange),
    wallMs,
  };
}

function describeExchange(exchange: HttpExchange): HttpExchangeRecord {
  return {
    status: exchange.status,
    statusText: exchange.statusText,
    httpVersion: exchange.httpVersion,
    headers: exchange.headers,
    bodyBytes: exchange.body.length,
    bodyPreview: exchange.body.subarray(0, 2048).toString('utf8'),
    bodyTruncated: exchange.bodyTruncated,
    error: exchange.error,
    durationMs: exchange.durationMs,
  };
}
