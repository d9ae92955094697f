// Checks an HTTP exchange against `expect: { status, headers, body, error, within }`.
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import type { ExpectationResult, ExpectationValues } from '../model/result.js';
import type { HttpExchange } from '../probes/http-request.js';
import { Duration } from '../schema/parts.js';
import { NetworkError, TextMatcher } from './expectation-schemas.js';
import { describeNetworkError } from './network-errors.js';
import { matchText } from './text-matcher.js';
import { verdict as check } from './verdict.js';
import { formatDuration, parseDuration } from '../schema/duration.js';

export const BodyMatcher = Type.Object(
  {
    ...TextMatcher.properties,
    file: Type.Optional(Type.String({ minLength: 1, description: 'The body has exactly the bytes of this file.' })),
    bytes: Type.Optional(Type.Integer({ minimum: 0, description: 'The body is exactly this many bytes long.' })),
    trailingCrlf: Type.Optional(
      Type.Boolean({
        description:
          'With file or equals: the body may end with one extra CRLF (or LF) after the expected content, as the handout\'s skeleton sends it (connectionSocket.send("\\r\\n".encode()) after the file); a browser shows the page all the same.',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, expected: 'a body matcher: equals, contains, notContains, matches, empty, file, bytes, trailingCrlf' },
);

export const HttpExpectation = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1 })], {
        expected: 'an HTTP status code or a list of them',
      }),
    ),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), TextMatcher], { expected: 'a header value or a text matcher' }), {
        expected: 'a map of header names to values or text matchers',
      }),
    ),
    body: Type.Optional(BodyMatcher),
    error: Type.Optional(NetworkError),
    within: Type.Optional(Duration),
  },
  { additionalProperties: false, expected: 'HTTP expectations: status, headers, body, error, within' },
);
export type HttpExpectation = Static<typeof HttpExpectation>;

export function evaluateHttp(expect: HttpExpectation, exchange: HttpExchange): ExpectationResult[] {
  const checks: ExpectationResult[] = [];
  if (expect.error !== undefined) {
    const ok = exchange.error?.code === expect.error;
    checks.push(check('error', ok, `${expect.error}: ${describeNetworkError(expect.error)}`, exchange.error ? `${exchange.error.code} (${exchange.error.message})` : `a response: ${exchange.status} ${exchange.statusText}`, { kind: 'error-code', expected: expect.error, actual: exchange.error?.code ?? null }));
    return checks;
  }
  if (exchange.error && exchange.status === undefined) {
    checks.push(check('response', false, 'an HTTP response', `${exchange.error.code}: ${exchange.error.message}`, { kind: 'error-code', expected: null, actual: exchange.error.code }));
    return checks;
  }
  const wanted = expect.status ?? 200;
  const statuses = Array.isArray(wanted) ? wanted : [wanted];
  const statusValues: ExpectationValues = { kind: 'number', expected: wanted, actual: exchange.status ?? null };
  checks.push({ ...check('status', statuses.includes(exchange.status ?? 0), statuses.join(' or '), `${exchange.status} ${exchange.statusText ?? ''}`.trim(), statusValues), name: expect.status === undefined ? 'status (implicit)' : 'status' });
  for (const [name, matcher] of Object.entries(expect.headers ?? {})) {
    const actual = exchange.headers[name.toLowerCase()];
    if (actual === undefined) {
      checks.push(check(`headers.${name}`, false, typeof matcher === 'string' ? matcher : 'the header', 'no such header'));
    } else if (typeof matcher === 'string') {
      checks.push(check(`headers.${name}`, actual === matcher, JSON.stringify(matcher), JSON.stringify(actual)));
    } else {
      checks.push(...matchText(`headers.${name}`, matcher, actual));
    }
  }
  if (expect.body) checks.push(...checkBody(expect.body, exchange));
  if (exchange.error) checks.push(check('response', false, 'a complete response', `${exchange.error.code}: ${exchange.error.message}`, { kind: 'error-code', expected: null, actual: exchange.error.code }));
  if (expect.within !== undefined) {
    const limit = parseDuration(expect.within) ?? 0;
    checks.push(check('within', exchange.durationMs <= limit, `within ${formatDuration(limit)}`, `took ${formatDuration(exchange.durationMs)}`, { kind: 'duration', limitMs: limit, actualMs: exchange.durationMs }));
  }
  return checks;
}

function checkBody(matcher: Static<typeof BodyMatcher>, exchange: HttpExchange): ExpectationResult[] {
  const { file, bytes, trailingCrlf, ...text } = matcher;
  const checks: ExpectationResult[] = [];
  // The skeleton's final "\r\n" after the file, when the spec allows it, is left out of the comparison.
  const trailer = trailingCrlf ? (exchange.body.subarray(-2).toString('latin1') === '\r\n' ? 2 : exchange.body.subarray(-1).toString('latin1') === '\n' ? 1 : 0) : 0;
  const body = trailer > 0 ? exchange.body.subarray(0, exchange.body.length - trailer) : exchange.body;
  if (file !== undefined) {
    let wanted: Buffer | null = null;
    try {
      wanted = readFileSync(file);
    } catch (error) {
      checks.push(check('body.file', false, `the bytes of ${file}`, `cannot read ${file}: ${(error as Error).message}`));
    }
    if (wanted) {
      const exact = wanted.equals(exchange.body);
      const same = exact || (trailer > 0 && wanted.equals(body));
      const where = exact ? 'identical' : same ? `identical, then ${trailer === 2 ? 'a CRLF' : 'an LF'}` : `${exchange.body.length} bytes, first difference at byte ${firstDifference(wanted, exchange.body)}`;
      checks.push(check('body.file', same, `the ${wanted.length} bytes of ${file}`, where));
    }
  }
  if (bytes !== undefined) checks.push(check('body.bytes', exchange.body.length === bytes, `${bytes} bytes`, `${exchange.body.length} bytes`, { kind: 'number', expected: bytes, actual: exchange.body.length }));
  if (Object.keys(text).length > 0) {
    const exact = matchText('body', text, exchange.body.toString('utf8'));
    checks.push(...(trailer > 0 && exact.some((result) => !result.ok) ? matchText('body', text, body.toString('utf8')) : exact));
  }
  return checks;
}

function firstDifference(a: Buffer, b: Buffer): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) if (a[index] !== b[index]) return index;
  return length;
}
