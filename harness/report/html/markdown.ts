// The `explain:` Markdown of a spec, rendered for the report. Spec authors are only semi-trusted and
// the report must stay inert and offline, so: raw HTML in the source is shown as text, images are not
// loaded (their alt text and address are shown instead), and links keep only harmless addresses.
import { Marked, type Tokens } from 'marked';
import { escapeHtml, printableText, trustedHtml, type SafeHtml } from './safe-html.js';

interface InlineParser {
  parser: { parseInline(tokens: Tokens.Generic['tokens'] & object): string };
}

const markdown = new Marked({
  gfm: true,
  renderer: {
    // The report's own headings go down to h4 (group, experiment section, step); explanations nest below.
    heading(this: InlineParser, token: Tokens.Heading): string {
      const level = Math.min(6, token.depth + 3);
      return `<h${level}>${this.parser.parseInline(token.tokens)}</h${level}>\n`;
    },
    html(token: Tokens.HTML | Tokens.Tag): string {
      const text = escapeHtml(token.text);
      return token.block ? `<p>${text}</p>\n` : text;
    },
    link(this: InlineParser, token: Tokens.Link): string {
      const label = this.parser.parseInline(token.tokens);
      if (!isSafeLink(token.href)) return label;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
      return `<a href="${escapeHtml(token.href)}"${title} rel="noopener noreferrer">${label}</a>`;
    },
    image(token: Tokens.Image): string {
      // Loading it would make the report depend on the network (and tell a server who opened it).
      return `<span class="md-image">[image: ${escapeHtml(token.text || 'no description')} — ${escapeHtml(token.href)}]</span>`;
    },
  },
});

/**
 * Web and mail links, in-page anchors and relative paths (such as a pcap next to the report). Anything
 * else with a scheme (`javascript:`, `data:`, `file:`) is dropped; the link text stays.
 */
function isSafeLink(href: string): boolean {
  if (/[\u0000-\u0020\\]/.test(href) || href.startsWith('//')) return false; // `//host` leaves the folder
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href);
  if (!scheme) return true;
  return ['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase());
}

export function renderMarkdown(source: string): SafeHtml {
  return trustedHtml(markdown.parse(printableText(source), { async: false }));
}
