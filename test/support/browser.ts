// Headless Chromium for tests that open reports in a real browser. It is the system's Chromium
// (Debian's package), driven through playwright-core: tests never download a browser.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_FLAGS } from '../../harness/probes/browser.js';

export const chromiumPath = '/usr/bin/chromium';

/** Fails with what to install when the browser is missing: CI installs it, so a skip would hide a gap. */
export async function launchChromium(executablePath: string = chromiumPath): Promise<Browser> {
  if (!existsSync(executablePath)) throw new Error(`${executablePath} not found: install chromium (apt-get install chromium)`);
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
}
