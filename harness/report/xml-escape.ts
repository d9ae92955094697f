// Escaping for the JUnit XML we write by hand. Program output is arbitrary text: it may hold markup,
// `]]>`, terminal escape codes, NUL bytes or broken UTF-16, and one such character makes the whole
// report unreadable for CI. So we escape markup and drop what XML 1.0 cannot represent at all.

// XML 1.0 `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// With the `u` flag a lone surrogate is its own code point, outside every allowed range, so it matches too.
const charsNotAllowedInXml = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes characters that XML 1.0 forbids even as character references (`&#0;` is not valid either). */
export function removeInvalidXmlChars(text: string): string {
  return text.replace(charsNotAllowedInXml, '');
}

/**
 * Escapes element text. `>` is escaped too (XML only requires it after `]]`), which is what makes a
 * literal `]]>` in program output harmless without resorting to CDATA sections.
 */
export function escapeXmlText(text: string): string {
  return removeInvalidXmlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes an attribute value for use between double quotes. Tabs and line breaks become character
 * references because a parser normalises literal ones to spaces, which would flatten multi-line messages.
 */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** Renders ` name="value"` pairs in the given order; undefined values are left out. */
export function xmlAttributes(attributes: Record<string, string | number | undefined>): string {
  let rendered = '';
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) rendered += ` ${name}="${escapeXmlAttribute(String(value))}"`;
  }
  return rendered;
}
