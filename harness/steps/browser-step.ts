// `browser: URL` — opens the page in headless chromium (optionally through a proxy), checks the
// status, title and text, and saves a screenshot in the report folder. Where chromium is not
// installed the step is skipped with the reason — never a false pass.
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Duration } from '../schema/parts.js';
import { TextMatcher } from '../expect/expectation-schemas.js';
import { matchText } from '../expect/text-matcher.js';
import { browserUnavailable, visitPage, type BrowserVisit } from '../probes/browser.js';
import type { ExpectationResult } from '../model/result.js';
import { ResponseWatch } from './shared/response-watch.js';
import { stepTimeoutMs } from './shared/step-timeout.js';
import type { StepKind } from './step-kind.js';

const DEFAULT_BROWSER_TIMEOUT_MS = 20_000;

const BrowserStepSchema = Type.Object(
  {
    browser: Type.String({ pattern: '^https?://', expected: 'an http:// URL' }),
    title: Type.Optional(Type.String()),
    proxy: Type.Optional(Type.String({ pattern: '^http://', expected: 'a proxy URL such as http://127.0.0.1:8888' })),
    timeout: Type.Optional(Duration),
    screenshot: Type.Optional(Type.Boolean({ description: 'Save a screenshot in the report folder (default true).' })),
    expect: Type.Optional(
      Type.Object(
        {
          status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
          title: Type.Optional(Type.Union([Type.String(), TextMatcher], { expected: 'the page title, or a text matcher' })),
          text: Type.Optional(TextMatcher),
          consoleErrors: Type.Optional(Type.Boolean({ description: 'Whether the page logs errors (default: not checked).' })),
        },
        { additionalProperties: false, expected: 'browser expectations: status, title, text, consoleErrors' },
      ),
    ),
  },
  { additionalProperties: false, expected: 'a browser step: browser, proxy, timeout, screenshot, expect' },
);
type BrowserStep = Static<typeof BrowserStepSchema>;

export const browserStep: StepKind<BrowserStep> = {
  key: 'browser',
  schema: BrowserStepSchema,
  summary: 'Open a page in headless chromium and check its status, title and text; saves a screenshot.',
  runsOn: 'client',
  label: (step) => step.title ?? `browser ${step.browser}${step.proxy ? ` via ${step.proxy}` : ''}`,
  async execute(step, context) {
    const unavailable = browserUnavailable();
    if (unavailable) return { status: 'skipped', expectations: [], notes: [`skipped: ${unavailable}`] };
    const timeoutMs = stepTimeoutMs(step.timeout, DEFAULT_BROWSER_TIMEOUT_MS, context);
    const screenshot = step.screenshot === false ? undefined : `${context.artifacts.prefix}.png`;
    const { namespace } = await context.network();
    // Once the page has asked, the visit ends as its timeout would when no response can come any more
    // (the browser itself, with its own timers, is not looked at: socklab drives it).
    const watch = new ResponseWatch(context, performance.now() + timeoutMs);
    const visit = await visitPage({
      url: step.browser,
      proxy: step.proxy,
      timeoutMs,
      screenshotFile: screenshot && path.join(context.artifacts.dir, screenshot),
      namespace,
      decided: watch.decided,
      onRequest: () => void watch.watch(),
      onProgress: () => watch.progress(),
    }).finally(() => watch.settle());
    return {
      notes: watch.notes(visit.durationMs, timeoutMs),
      expectations: judge(step, visit),
      details: { kind: 'browser', url: step.browser, ...(step.proxy ? { proxy: step.proxy } : {}), status: visit.status, title: visit.title, text: visit.text.slice(0, 2000), consoleErrors: visit.consoleErrors, error: visit.error, durationMs: visit.durationMs },
      artifacts: screenshot && !visit.error ? [screenshot] : [],
    };
  },
};

function judge(step: BrowserStep, visit: BrowserVisit): ExpectationResult[] {
  if (visit.error) return [{ name: 'load', ok: false, expected: 'the page loads', actual: `${visit.error.code}: ${visit.error.message}`, message: `the page did not load: ${visit.error.message}` }];
  const expect = step.expect ?? {};
  const checks: ExpectationResult[] = [];
  const status = expect.status ?? 200;
  checks.push({ name: expect.status === undefined ? 'status (implicit)' : 'status', ok: visit.status === status, expected: String(status), actual: String(visit.status), message: `status: expected ${status}, got ${visit.status}`, values: { kind: 'number', expected: status, actual: visit.status } });
  if (typeof expect.title === 'string') checks.push({ name: 'title', ok: visit.title === expect.title, expected: JSON.stringify(expect.title), actual: JSON.stringify(visit.title), message: `title: expected ${JSON.stringify(expect.title)}, got ${JSON.stringify(visit.title)}` });
  else if (expect.title) checks.push(...matchText('title', expect.title, visit.title));
  if (expect.text) checks.push(...matchText('text', expect.text, visit.text));
  if (expect.consoleErrors !== undefined) {
    const has = visit.consoleErrors.length > 0;
    checks.push({ name: 'consoleErrors', ok: has === expect.consoleErrors, expected: expect.consoleErrors ? 'console errors' : 'no console errors', actual: has ? visit.consoleErrors.join(' | ') : 'none', message: 'console errors' });
  }
  return checks;
}
