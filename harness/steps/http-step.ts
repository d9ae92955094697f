// `http: URL` — a real HTTP request (optionally through a proxy), with expectations on the status,
// headers, body bytes or the network error. `parallel: N` sends N at once (the proxy's concurrency
// check: `within` then bounds the whole group); `background: true` leaves it running while later steps
// go on, and checks it when the experiment ends (a client stalled on a slow origin). Through a proxy,
// `form:` says how the request reaches it: as a browser set to use a proxy sends it (GET http://host/a),
// the lab's way (GET /host/a to the proxy, as typed into a browser's address bar), or either.
import { Type, type Static } from '@sinclair/typebox';
import { Duration, Env } from '../schema/parts.js';
import { parseDuration, formatDuration } from '../schema/duration.js';
import { HttpExpectation, evaluateHttp } from '../expect/http-expectations.js';
import { parseHttpUrl, sendHttpRequest, type HttpExchange } from '../probes/http-request.js';
import type { ExpectationResult, HttpDetails, HttpExchangeRecord } from '../model/result.js';
import { verdict } from '../expect/verdict.js';
import { ResponseWatch } from './shared/response-watch.js';
import { stepTimeoutMs } from './shared/step-timeout.js';
import type { StepKind } from './step-kind.js';

const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

const HttpStepSchema = Type.Object(
  {
    http: Type.String({ pattern: '^http://', expected: 'an http:// URL' }),
    title: Type.Optional(Type.String()),
    method: Type.Optional(Type.String({ pattern: '^[A-Za-z]+$', expected: 'an HTTP method such as GET' })),
    headers: Type.Optional(Env),
    body: Type.Optional(Type.String()),
    proxy: Type.Optional(Type.String({ pattern: '^http://', expected: 'a proxy URL such as http://127.0.0.1:8888' })),
    form: Type.Optional(
      Type.Union([Type.Literal('absolute'), Type.Literal('path'), Type.Literal('either')], {
        expected: 'absolute, path or either',
        description:
          'How the request reaches the proxy: `absolute` (default) GET http://host:port/a, as a browser set to use the proxy sends it; `path` GET /host:port/a sent to the proxy, the lab\'s way (http://proxy:8888/host:port/a in the address bar); `either`: the path form, then, when its answer fails the expectations for want of being understood (no answer, or a 4xx/5xx status; not a timeout), the absolute form.',
      }),
    ),
    distinct: Type.Optional(Type.Boolean({ description: 'With parallel: each request asks for its own URL (?1, ?2, …), so that a cache cannot answer the later ones.' })),
    timeout: Type.Optional(Duration),
    parallel: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, expected: 'a number of simultaneous requests 1–200' })),
    background: Type.Optional(Type.Boolean({ description: 'Do not wait: later steps run meanwhile; checked at the end.' })),
    expect: Type.Optional(HttpExpectation),
  },
  { additionalProperties: false, expected: 'an http step: http, method, headers, body, proxy, form, distinct, timeout, parallel, background, expect' },
);
type HttpStep = Static<typeof HttpStepSchema>;

export const httpStep: StepKind<HttpStep> = {
  key: 'http',
  schema: HttpStepSchema,
  summary: 'Send an HTTP request (optionally through a proxy, several at once, or in the background) and check the response.',
  runsOn: 'client',
  label: (step) =>
    step.title ?? [step.method ?? 'GET', step.http, step.proxy ? `via ${step.proxy}${step.form && step.form !== 'absolute' ? ` (${step.form} form)` : ''}` : '', step.parallel ? `×${step.parallel}` : ''].filter(Boolean).join(' '),
  async execute(step, context) {
    const timeoutMs = stepTimeoutMs(step.timeout, DEFAULT_HTTP_TIMEOUT_MS, context);
    const network = await context.network();
    const connect = network.connectTcp.bind(network);
    const send = async (form: 'absolute' | 'path'): Promise<Attempt> => {
      const started = performance.now();
      const urls = Array.from({ length: step.parallel ?? 1 }, (_, index) => (step.distinct && step.parallel ? `${step.http}${step.http.includes('?') ? '&' : '?'}${index + 1}` : step.http));
      // Once every request is sent, a step in the foreground ends as its timeout would when no response
      // can come any more (socklab is the reader here: a response byte since counts as progress).
      const watch = new ResponseWatch(context, started + timeoutMs);
      let sent = 0;
      const onSent = () => {
        if (!step.background && ++sent === urls.length) void watch.watch();
      };
      const results = await Promise.all(
        urls.map((url) => {
          const request = form === 'path' && step.proxy ? { url: pathFormUrl(url, step.proxy) } : { url, proxy: step.proxy };
          return sendHttpRequest({ ...request, method: step.method, headers: step.headers, body: step.body, timeoutMs, signal: context.signal, connect, decided: watch.decided, onSent, onProgress: () => watch.progress() });
        }),
      ).finally(() => watch.settle());
      const wallMs = Math.round(performance.now() - started);
      return { form, results, wallMs, expectations: judgeAll(step, results, wallMs), ...(watch.stoppedEarly ? { stoppedEarly: watch.notes(wallMs, timeoutMs) } : {}) };
    };
    const forms = !step.proxy || step.form === undefined || step.form === 'absolute' ? (['absolute'] as const) : step.form === 'path' ? (['path'] as const) : (['path', 'absolute'] as const);
    // The first attempt starts now, also in the background: later steps count on it being under way.
    const first = send(forms[0]);
    const judge = async () => {
      const attempts: Attempt[] = [await first];
      for (const form of forms.slice(1)) {
        const previous = attempts.at(-1)!;
        // The other form only when this one was not understood: no answer, or an error status (400 from
        // the proxy, 404 from an origin asked for a garbled path). A timeout means the proxy understood
        // and is stuck; a 200 with a wrong body, or right answers too slow, would come the same way again.
        const failed = previous.expectations.some((check) => !check.ok);
        const misunderstood = previous.results.some((result) => (result.status === undefined && result.error?.code !== 'ETIMEDOUT') || (result.status ?? 0) >= 400);
        const stuck = previous.results.every((result) => result.error?.code === 'ETIMEDOUT');
        if (!failed || !misunderstood || stuck || context.signal.aborted) break;
        attempts.push(await send(form));
      }
      const last = attempts.at(-1)!;
      const notes = [
        ...(last.results.length > 1 ? [`${last.results.length} requests in ${formatDuration(last.wallMs)}`] : []),
        ...attempts.slice(0, -1).map((attempt) => `the ${attempt.form} form failed (${attempt.expectations.find((check) => !check.ok)?.message ?? 'no answer'}); then the ${last.form} form`),
        ...(last.stoppedEarly ?? []),
      ];
      return { expectations: last.expectations, details: describeStep(step, last, forms.length > 1 || step.form === 'path'), notes };
    };
    if (step.background) {
      context.atEnd(judge);
      return { expectations: [], notes: ['sent in the background; checked when the experiment ends'] };
    }
    return judge();
  },
};

interface Attempt {
  form: 'absolute' | 'path';
  results: HttpExchange[];
  wallMs: number;
  expectations: ExpectationResult[];
  /** The note of an attempt ended early (no response could come any more). */
  stoppedEarly?: string[];
}

/** The lab's form: the origin's host[:port] and path after the proxy's own address (http://proxy:8888/host:port/a). */
function pathFormUrl(url: string, proxy: string): string {
  const target = parseHttpUrl(url);
  if (!target) return url;
  return `${proxy.replace(/\/$/, '')}/${target.host}${target.port === 80 ? '' : `:${target.port}`}${target.path}`;
}

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

function describeStep(step: HttpStep, attempt: Attempt, showForm: boolean): HttpDetails {
  const target = parseHttpUrl(step.http);
  const connectedTo = step.proxy ? parseHttpUrl(step.proxy) : target;
  return {
    kind: 'http',
    request: { method: step.method ?? 'GET', url: step.http, path: target?.path ?? step.http, headers: step.headers ?? {}, bodyBytes: Buffer.byteLength(step.body ?? '') },
    connectedTo: connectedTo ? { host: connectedTo.host, port: connectedTo.port } : null,
    ...(step.proxy ? { proxy: step.proxy } : {}),
    ...(step.proxy && showForm ? { form: attempt.form } : {}),
    exchanges: attempt.results.map(describeExchange),
    wallMs: attempt.wallMs,
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
