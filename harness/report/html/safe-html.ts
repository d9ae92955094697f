// Escaping for the HTML report. Nearly everything in a result comes from somewhere we do not control:
// program output, error messages, file names, even spec titles. So markup is built only through the
// `html` template tag, which escapes every interpolated value unless it is already SafeHtml. Forgetting
// to escape then takes an explicit `trustedHtml(...)`, which is easy to find in review.

/** Markup that is safe to insert as is: built by `html` or `trustedHtml`, never from a plain string. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/**
 * Tagged template: `html\`<td>${text}</td>\`` escapes `text`. Arrays are concatenated, and null,
 * undefined and false render nothing, so `${cond && html\`…\`}` works. Attribute values must be quoted.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let result = strings[0] ?? '';
  values.forEach((value, index) => {
    result += renderValue(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(result);
}

/** Marks markup we built ourselves (CSS, the script, a renderer's output) as safe. Never pass data to it. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function renderValue(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

// Characters that are invisible, that HTML treats as parse errors, or that reorder text on screen
// (bidi overrides could make `rm -rf` read as something else): C0 controls but tab and LF, DEL, C1
// controls, lone surrogates (the `u` flag makes a well-formed pair one code point, so only lone
// halves match), the bidi controls, and the noncharacters.
const unprintable = /\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]|[\ud800-\udfff]/gu;

/**
 * Shows unprintable characters as escapes the way the console reporter does (`\x1b`, `\u202e`), so a
 * colour code or a NUL byte in a program's output is visible and cannot disturb the page. CRLF is
 * treated as one line break.
 */
export function printableText(text: string, mark: (escape: string) => string = (escape) => escape): string {
  return text.replace(unprintable, (character) => (character === '\r\n' ? '\n' : mark(visibleEscape(character))));
}

function visibleEscape(character: string): string {
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Escapes text for element content and for double- or single-quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return printableText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Program output for a <pre>: escaped, with each unprintable character shown as a marked-up escape so
 * that a literal `\x1b` the program printed and a real ESC byte look different.
 */
export function outputHtml(text: string): SafeHtml {
  const marker = '\u0000';
  // Mark escapes with NUL (which printableText itself never leaves in its output), escape, then wrap.
  const marked = printableText(text, (escape) => `${marker}${escape}${marker}`);
  const parts = marked.split(marker);
  return new SafeHtml(
    parts.map((part, index) => (index % 2 === 1 ? `<span class="ctl">${escapeHtml(part)}</span>` : escapeHtml(part))).join(''),
  );
}

/** An id attribute value from any text: letters, digits, `-`, `_`, `.` only. */
export function idFragment(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]+/g, '-') || 'x';
}
