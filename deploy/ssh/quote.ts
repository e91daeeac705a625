/** Quotes one word for a POSIX shell: the remote side runs our commands through the login shell. */
export function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `env K=V … argv…`, quoted; `exec` keeps the shell's pid, which is the session's process group. */
export function commandLine(argv: string[], env: Record<string, string>): string {
  const assignments = Object.entries(env).map(([key, value]) => quote(`${key}=${value}`));
  return [...(assignments.length ? ["env", ...assignments] : []), ...argv.map(quote)].join(" ");
}
