/**
 * Which programs `hydro run --profile` profiles, besides those given `profile: true`: every service
 * and cluster member (`--profile`), or the named ones (`--profile=a,b`; a cluster's name names
 * all its members).
 */
let fromCommandLine: "all" | ReadonlySet<string> | undefined;
/** The names given that named a program or a cluster. */
const matched = new Set<string>();

export function profileFromCommandLine(names: "all" | readonly string[]): void {
  fromCommandLine = names === "all" ? "all" : new Set(names);
}

/** Whether `program` (a member of `cluster`, if it is one) is profiled: its own option, or the command line's. */
export function isProfiled(program: string, cluster: string | undefined, option: boolean | undefined): boolean {
  if (fromCommandLine instanceof Set) {
    for (const name of [program, cluster]) if (name !== undefined && fromCommandLine.has(name)) matched.add(name);
  }
  if (option !== undefined) return option;
  if (fromCommandLine === "all") return true;
  return fromCommandLine !== undefined && (fromCommandLine.has(program) || (cluster !== undefined && fromCommandLine.has(cluster)));
}

/** The names `--profile=…` gave that no program or cluster started so far had (a typo, most often). */
export function unmatchedProfileNames(): string[] {
  return fromCommandLine instanceof Set ? [...fromCommandLine].filter((name) => !matched.has(name)) : [];
}
