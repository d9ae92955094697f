// Markdown for Gradescope's `output_format: "md"`. Everything a program printed, and every value read
// from it, goes in a fenced code block whose fence is longer than any run of backticks inside it, so a
// student's output can never turn into markup (a link, an image, a heading, raw HTML). Our own
// sentences that quote such values escape the characters that start markup, with the backslash
// escapes that both CommonMark and the older Markdown dialects understand.
import { printable } from '../console-failures.js';

/** A line longer than this is cut (a program that prints one 1 MB line must not fill the page). */
export const maxLineChars = 300;

/** One line of prose that may quote program output: markup characters escaped, control codes shown as `\xNN`. */
export function escapeMarkdown(text: string): string {
  return printable(text.replace(/\r?\n/g, ' '))
    .replace(/[\\`*_[\]<>|~&]/g, (char) => `\\${char}`)
    // Renderers turn bare addresses into links (GFM's autolinks); an escaped character in them stops that.
    .replace(/:\/\//g, '\\://')
    .replace(/\bwww\./gi, (www) => `${www.slice(0, 3)}\\.`)
    .replace(/^(\s*)([#+=-]|\d+[.)])/, (_, space: string, marker: string) => `${space}${marker.replace(/[#+=\-.)]/, (char) => `\\${char}`)}`);
}

/** Text as a fenced code block, at most `maxLines` lines (the first ones, or the last with `keep: 'tail'`). */
export function codeBlock(text: string, options: { maxLines: number; keep?: 'head' | 'tail'; info?: string }): string {
  const all = text === '' ? [] : text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const kept = options.keep === 'tail' ? all.slice(-options.maxLines) : all.slice(0, options.maxLines);
  const omitted = all.length - kept.length;
  const lines = kept.map((line) => clip(printable(line)));
  if (omitted > 0) {
    const note = `… ${omitted} more line${omitted === 1 ? '' : 's'}`;
    if (options.keep === 'tail') lines.unshift(`${note} before`);
    else lines.push(note);
  }
  const body = lines.length ? lines.join('\n') : '(empty)';
  const longestRun = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${options.info ?? ''}\n${body}\n${fence}`;
}

function clip(line: string): string {
  return line.length <= maxLineChars ? line : `${line.slice(0, maxLineChars)}… (${line.length - maxLineChars} more characters)`;
}
