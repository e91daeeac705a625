/** Quotes one word for a POSIX shell: the remote side runs our commands through the login shell. */
export function quote(word: string): string {
  return /^[\w@%+:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `export K=V … && exec argv…`, quoted, for the login shell. Not `env K=V argv`: `env` reads a key
 * like `-S…` as an option and an argv[0] with `=` as one more assignment. Keys are POSIX names
 * (checked with the options); `exec` keeps the shell's pid, which is the session's process group.
 */
export function commandLine(argv: string[], env: Record<string, string>): string {
  const assignments = Object.entries(env).map(([key, value]) => `${key}=${quote(value)}`);
  const exec = ["exec", ...argv.map(quote)].join(" ");
  return assignments.length ? `export ${assignments.join(" ")} && ${exec}` : exec;
}
