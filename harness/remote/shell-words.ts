// Words for a POSIX shell on the other machine. ssh joins the words of a remote command with spaces
// and hands the line to the remote user's shell, so every word socklab sends is quoted here.

/** One word, single-quoted unless it is plainly safe. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line of quoted words. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
