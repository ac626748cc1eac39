/** Exit codes shared by every command; documented in `fwdoctor --help` and docs/cli.md. */
export const EXIT = {
  ok: 0,
  /** The analysis answered, and the answer is not what --expect / --fail-on asked for. */
  expectationFailed: 1,
  /** Bad input: unreadable file, ruleset or packet errors, bad option values. */
  badInput: 2,
  /** The environment cannot do what was asked (not root, no network namespaces, a tool missing). */
  environment: 3,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  the answer is not the one asked for (trace --expect, lint --fail-on, diff: the rulesets differ)
  2  bad input: a file could not be read, or the ruleset or a packet has errors
  3  the environment cannot do it (not root, no network namespaces, a tool missing)`;
