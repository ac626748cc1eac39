/* src/text/: leaf text utilities (quoting) that every layer may use; imports nothing of ours. */
/**
 * POSIX shell quoting for commands printed for a user to run. Words made only of safe characters stay
 * bare; everything else is single-quoted, with embedded single quotes written as '\''. Newlines and
 * control characters stay literal inside single quotes, which POSIX shells keep verbatim.
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(word: string): string {
  if (word === '') return "''";
  if (SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
