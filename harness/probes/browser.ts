// A real browser: Debian's headless chromium driven by playwright-core (never a downloaded browser).
// Flags keep it quiet on a machine with no outside network; each launch gets a fresh profile.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM_PATH = process.env.SOCKLAB_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserVisit {
  status: number | null;
  title: string;
  text: string;
  consoleErrors: string[];
  error: { code: string; message: string } | null;
  durationMs: number;
}

/** Why the browser cannot run here, or null when it can. */
export function browserUnavailable(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `chromium not installed at ${CHROMIUM_PATH} (apt-get install chromium)`;
}

export interface VisitOptions {
  url: string;
  proxy?: string;
  timeoutMs: number;
  screenshotFile?: string;
  /** Run the browser on this host of an experiment's world (`ip netns exec`). */
  namespace?: string;
  /** Aborted once no response can come any more: the visit ends at once, as its timeout would (its reason the message). */
  decided?: AbortSignal;
  /** Called as the page sends its first request (the browser has asked), and on each response or failure after (progress). */
  onRequest?: () => void;
  onProgress?: () => void;
}

export async function visitPage(options: VisitOptions): Promise<BrowserVisit> {
  const started = performance.now();
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(path.join(os.tmpdir(), 'socklab-chromium-'));
  const executablePath = options.namespace ? await namespaceLauncher(profile, options.namespace) : CHROMIUM_PATH;
  // Chromium sends loopback addresses around a proxy unless told not to; the lab's proxy is on loopback.
  const proxyFlags = options.proxy ? [`--proxy-server=${options.proxy}`, '--proxy-bypass-list=<-loopback>'] : [];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...proxyFlags],
    timeout: options.timeoutMs,
  });
  const consoleErrors: string[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.once('request', () => options.onRequest?.());
    const progress = () => options.onProgress?.();
    page.on('response', progress);
    page.on('requestfinished', progress);
    page.on('requestfailed', progress);
    let status: number | null = null;
    let error: BrowserVisit['error'] = null;
    const { decided } = options;
    const early = new Promise<never>((_, reject) => decided?.addEventListener('abort', () => reject(new DecidedEarly(String(decided.reason))), { once: true }));
    const loading = page.goto(options.url, { timeout: options.timeoutMs, waitUntil: 'load' });
    loading.catch(() => undefined); // abandoned when decided early: the context closes under it
    try {
      const response = await Promise.race([loading, early]);
      status = response?.status() ?? null;
    } catch (cause) {
      const message = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
      error = { code: /ERR_CONNECTION_REFUSED/.test(message) ? 'ECONNREFUSED' : /Timeout/.test(message) || cause instanceof DecidedEarly ? 'ETIMEDOUT' : 'EBROWSER', message };
    }
    const title = error ? '' : await page.title();
    const text = error ? '' : await page.innerText('body').catch(() => '');
    if (options.screenshotFile && !error) await page.screenshot({ path: options.screenshotFile, fullPage: true });
    return { status, title, text, consoleErrors, error, durationMs: Math.round(performance.now() - started) };
  } finally {
    await context.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The visit ended before its timeout because nothing could answer it any more. */
class DecidedEarly extends Error {}

/** A launcher that starts chromium inside a network namespace: playwright runs it like chromium itself. */
async function namespaceLauncher(folder: string, namespace: string): Promise<string> {
  const launcher = path.join(folder, 'chromium-in-namespace');
  await writeFile(launcher, `#!/bin/sh\nexec ip netns exec '${namespace}' '${CHROMIUM_PATH}' "$@"\n`, { mode: 0o755 });
  return launcher;
}
