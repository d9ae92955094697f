// PNG pictures of local HTML pages, made by Debian's headless chromium through playwright-core (the
// browser steps' launcher: same binary, same flags). One browser serves every page of a batch; each
// picture is the whole page at a fixed width, one CSS pixel per image pixel.
import { pathToFileURL } from 'node:url';
import { browserUnavailable, CHROMIUM_FLAGS, CHROMIUM_PATH } from './browser.js';

export interface PageToPicture {
  /** The HTML file to open. */
  html: string;
  /** Where the PNG goes. */
  png: string;
}

export type PictureResult = { png: string; width: number; height: number } | { png: string; error: string };

/** Pictures of each page, `width` CSS pixels wide and as tall as the page; a page that fails says why. */
export async function picturePages(pages: PageToPicture[], width: number, timeoutMs = 30_000): Promise<PictureResult[]> {
  const missing = browserUnavailable();
  if (missing) return pages.map((page) => ({ png: page.png, error: missing }));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true, timeout: timeoutMs });
  try {
    const context = await browser.newContext({ viewport: { width, height: 100 }, deviceScaleFactor: 1 });
    const results: PictureResult[] = [];
    for (const page of pages) {
      const tab = await context.newPage();
      try {
        await tab.goto(pathToFileURL(page.html).href, { waitUntil: 'load', timeout: timeoutMs });
        const image = await tab.screenshot({ path: page.png, fullPage: true, timeout: timeoutMs });
        results.push({ png: page.png, ...pngSize(image) });
      } catch (cause) {
        results.push({ png: page.png, error: cause instanceof Error ? cause.message.split('\n')[0] : String(cause) });
      } finally {
        await tab.close().catch(() => undefined);
      }
    }
    return results;
  } finally {
    await browser.close().catch(() => undefined);
  }
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23, right after the signature and the chunk header). */
export function pngSize(image: Buffer): { width: number; height: number } {
  return { width: image.readUInt32BE(16), height: image.readUInt32BE(20) };
}
