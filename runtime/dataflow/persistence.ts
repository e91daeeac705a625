/**
 * How long an operator keeps its state, as in DFIR's lifetime arguments:
 * `"tick"` forgets at the end of every tick, `"static"` remembers for the life of the flow
 * (and replays what it remembers at the start of each tick, as if it had all arrived again).
 */
export type Persistence = "tick" | "static";

/** One persistence per input port; a single value applies to every input (DFIR `join::<'static>`). */
export type PortPersistence = Persistence | readonly [Persistence, Persistence];

export function persistenceOf(spec: PortPersistence | undefined, port: 0 | 1): Persistence {
  if (spec === undefined) return "tick";
  return typeof spec === "string" ? spec : spec[port];
}

export function persistenceLabel(spec: PortPersistence | undefined): string {
  if (spec === undefined) return "";
  const parts = typeof spec === "string" ? [spec] : spec;
  return `::<${parts.map((p) => `'${p}`).join(", ")}>`;
}
