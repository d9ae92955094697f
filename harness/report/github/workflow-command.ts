// GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`), which the runner reads
// from every line a step prints. A command is one line, so the escapes below keep whatever we quote
// (a spec's title, a student's output) on that line: a program that printed `\n::set-output …` or
// `\n::error::…` stays text inside our message and can never start a line, and so never a command of
// its own. The runner (actions/runner, ActionCommand.cs) reads the command's name and properties up to
// the first `::` after its start and takes the rest of the line as the message, undoing exactly these
// escapes; the toolkit's `escapeData` and `escapeProperty` (@actions/core command.ts) write them.

/** A message: `%` first (so the escapes we add are not escaped again), then CR and LF. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * A property value: as a message, and also `:` (a `::` would end the properties early) and `,`
 * (which separates properties).
 */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

/** Where an annotation points; a file's line, or nothing (an annotation of the whole run). */
export interface AnnotationProperties {
  file?: string;
  line?: number;
  title?: string;
}

/** `::error file=specs/x.yaml,line=7,title=…::message`: one line, without its line break. */
export function annotation(level: AnnotationLevel, properties: AnnotationProperties, message: string): string {
  const pairs = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => `${name}=${escapeProperty(String(value))}`);
  return `::${level}${pairs.length ? ` ${pairs.join(',')}` : ''}::${escapeData(message)}`;
}
