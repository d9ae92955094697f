// Headless Chromium for tests that open reports in a real browser. It is the system's Chromium
// (Debian's package), driven through playwright-core: tests never download a browser.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../../harness/probes/browser.js';

/** Fails with what to install when the browser is missing; tests call needsTool(this, 'chromium') first. */
export async function launchChromium(executablePath: string = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) throw new Error(`${executablePath} not found: install chromium (apt-get install chromium)`);
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
}
