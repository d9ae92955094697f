// A page of the hand-in pack: self-contained (the stylesheet inline, no script), with a
// Content-Security-Policy that allows only that stylesheet and, for the index, the pack's own pictures.
import { createHash } from 'node:crypto';
import { html, trustedHtml, type SafeHtml } from '../html/safe-html.js';
import { evidenceStyle } from './evidence-style.js';

export function evidenceDocument(title: string, body: SafeHtml, options: { images?: boolean } = {}): string {
  const policy = [
    "default-src 'none'",
    `style-src 'sha256-${createHash('sha256').update(evidenceStyle, 'utf8').digest('base64')}'`,
    ...(options.images ? ["img-src 'self'"] : []),
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${trustedHtml(evidenceStyle)}</style>
</head>
<body>
${body}
</body>
</html>
`.value;
}
