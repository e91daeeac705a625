/** What the experiment's clients did (workload.ts), as the checker (check.ts) and the timeline (timeline.ts) read it. */
export interface Operation {
  /** The replica the client talks to: its index. */
  replica: number;
  kind: "set" | "get";
  key: string;
  /** For a set, the value written (unique in the run); for a get that was answered, the value read. */
  value: string | null;
  /** When the client sent it and when the answer came, in ms since the workload began. */
  invokedAt: number;
  /** Undefined: no answer (an error, a timeout, no connection): a write may or may not have been applied. */
  completedAt: number | undefined;
}
