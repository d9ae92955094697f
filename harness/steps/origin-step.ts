// `origin: NAME` — starts an origin web server inside the harness (for the proxy experiments) and,
// when the experiment ends, checks how many requests reached it per path.
import { Type, type Static } from '@sinclair/typebox';
import { Duration, Env, InterceptOption, PortRef } from '../schema/parts.js';

/** Where web clients go when a URL names no port, and where a proxy that ignores the URL's port goes. */
const HTTP_PORT = 80;
import { parseDuration } from '../schema/duration.js';
import { OriginServer } from '../fixtures/origin-server.js';
import type { ExpectationResult } from '../model/result.js';
import { countHolds, countRange, describeCount, verdict, type CountWanted } from '../expect/verdict.js';
import type { StepKind } from './step-kind.js';
import { portTaken } from './shared/port-taken.js';

const Count = Type.Union(
  [Type.Integer({ minimum: 0 }), Type.Object({ min: Type.Optional(Type.Integer({ minimum: 0 })), max: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false, minProperties: 1 })],
  { expected: 'a count, or { min, max }' },
);

const RouteSchema = Type.Object(
  {
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    body: Type.Optional(Type.String()),
    file: Type.Optional(Type.String()),
    headers: Type.Optional(Env),
    delay: Type.Optional(Duration),
    hang: Type.Optional(Type.Boolean()),
    close: Type.Optional(Type.Boolean()),
    chunked: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, expected: 'a route: status, body, file, headers, delay, hang, close, chunked' },
);

const OriginStepSchema = Type.Object(
  {
    origin: Type.String({ pattern: '^[a-z][a-z0-9-]*$', expected: 'a name for the origin, such as origin' }),
    title: Type.Optional(Type.String()),
    port: PortRef,
    hostname: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$',
        expected: 'a host name such as www.example.test',
        description: "In the experiment's world, the name the origin answers at on the Internet host (URLs can then name it, without a port: it also answers on 80).",
      }),
    ),
    intercept: Type.Optional(InterceptOption),
    routes: Type.Record(Type.String({ pattern: '^/' }), RouteSchema, { expected: 'a map of paths (starting with /) to routes' }),
    expect: Type.Optional(
      Type.Object(
        {
          requests: Type.Optional(Type.Record(Type.String({ pattern: '^/' }), Count, { expected: 'a map of paths to request counts' })),
          total: Type.Optional(Count),
        },
        { additionalProperties: false, expected: 'origin expectations: requests, total (checked when the experiment ends)' },
      ),
    ),
  },
  { additionalProperties: false, expected: 'an origin step: origin, port, hostname, intercept, routes, expect' },
);
type OriginStep = Static<typeof OriginStepSchema>;

export const originStep: StepKind<OriginStep> = {
  key: 'origin',
  schema: OriginStepSchema,
  summary: 'Start an origin web server inside the harness that counts requests per path; check the counts at the end.',
  runsOn: 'internet',
  label: (step) => step.title ?? `origin ${step.origin} on port ${step.port}`,
  timed: (step) => Object.values(step.routes).some((route) => route.delay !== undefined),
  defines: (step) => step.origin,
  async execute(step, context) {
    const routes = Object.fromEntries(
      Object.entries(step.routes).map(([path, route]) => [path, { ...route, delayMs: route.delay === undefined ? undefined : (parseDuration(route.delay) ?? 0) }]),
    );
    const origin = new OriginServer(routes);
    let port: number;
    try {
      port = await origin.listen(await context.network(), context.hosts.internet, Number(step.port));
    } catch (error) {
      // Someone else (perhaps the program under test) holds the port: a failure of the experiment, not of socklab.
      return portTaken('origin', step.port, error);
    }
    context.onTeardown(() => origin.close());
    await context.offer({ name: step.origin, host: 'internet', protocol: 'tcp', planned: port, actual: port, intercept: step.intercept === false ? [] : (step.intercept ?? [HTTP_PORT]), watch: step.intercept === false ? [HTTP_PORT] : [], names: step.hostname ? [step.hostname] : [], strict: step.intercept === false });
    const listening = { host: context.hosts.internet, port };
    context.atEnd(async () => ({
      notes: origin.bareLineFeeds
        ? [`${origin.bareLineFeeds} request(s) ended their lines with a bare LF (\\n), not CRLF: accepted, as real web servers do, though HTTP asks for CRLF`]
        : [],
      expectations: judge(step, origin.counts()),
      details: { kind: 'origin', listening, requests: origin.requests.map(({ method, path, atMs }) => ({ method, path, atMs })), counts: origin.counts() },
    }));
    return { expectations: [], notes: [`origin listening on ${context.hosts.internet}:${port} with ${Object.keys(routes).length} route(s)`] };
  },
};

function judge(step: OriginStep, counts: Record<string, number>): ExpectationResult[] {
  const checks: ExpectationResult[] = [];
  const seen = JSON.stringify(counts);
  for (const [path, wanted] of Object.entries(step.expect?.requests ?? {})) checks.push(countCheck(`requests[${path}]`, path, counts[path] ?? 0, wanted, `requests for ${path} reached the origin`, seen));
  if (step.expect?.total !== undefined) {
    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    checks.push(countCheck('total', 'requests', total, step.expect.total, 'requests reached the origin in all', seen));
  }
  return checks;
}

function countCheck(name: string, subject: string, actual: number, wanted: CountWanted, what: string, seen: string): ExpectationResult {
  const ok = countHolds(actual, wanted);
  const expected = describeCount(wanted);
  const values = { kind: 'count', subject, expected: countRange(wanted), actual } as const;
  return { ...verdict(name, ok, `${expected} ${what}`, `${actual} (all counts: ${seen})`, values), message: ok ? `${name}: ${actual}` : `${name}: expected ${expected}, got ${actual} ${what}` };
}
