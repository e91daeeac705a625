import type { Operation } from "./history.js";

/** Each replica's table at the end, as read through its Redis port: the experiment's keys, and how many keys it holds. */
export interface FinalTable {
  replica: string;
  values: ReadonlyMap<string, string | null>;
  size: number;
}

export interface Verdict {
  valid: boolean;
  /** How many problems were found (`problems` tells a few of each kind). */
  problemCount: number;
  /** What is wrong, a line each (at most a few of each kind, then a count). */
  problems: string[];
  /** The numbers behind the verdict. */
  stats: {
    requests: number;
    answered: number;
    unanswered: number;
    writesAcknowledged: number;
    /** Acknowledged writes that a later write (in real time, or with a higher version) replaced: expected under load. */
    writesSuperseded: number;
    keys: number;
  };
}

/**
 * The experiment's check, Jepsen-style, on the history of what clients did and the replicas'
 * final tables:
 * - every replica ends with the same table;
 * - each key holds a value some client wrote (and every read returned one, or nothing);
 * - no acknowledged write is lost except to a later one: a key's final value must not come from
 *   a write that was acknowledged before another acknowledged write of that key was even sent.
 *   Replicas order writes by version, a hybrid clock reading of the replica's host; `slackMs`
 *   allows for writes a few ms apart in the same clock tick (and for the clocks of several hosts).
 */
export function check(history: readonly Operation[], finals: readonly FinalTable[], keys: readonly string[], slackMs: number): Verdict {
  const problems = new Problems();
  const writes = new Map<string, Operation>();
  for (const operation of history) if (operation.kind === "set") writes.set(operation.value!, operation);

  const [first, ...others] = finals;
  for (const other of others) {
    if (other.size !== first!.size) problems.add("diverged", `${other.replica} holds ${other.size} keys, ${first!.replica} ${first!.size}`);
    for (const key of keys) {
      const [a, b] = [first!.values.get(key) ?? null, other.values.get(key) ?? null];
      if (a !== b) problems.add("diverged", `${other.replica} holds ${show(b)} for ${key}, ${first!.replica} ${show(a)}`);
    }
  }

  let superseded = 0;
  for (const key of keys) {
    const final = first!.values.get(key) ?? null;
    const acknowledged = history.filter((operation) => operation.kind === "set" && operation.key === key && operation.completedAt !== undefined);
    if (final === null) {
      if (acknowledged.length) problems.add("lost", `${key} holds nothing, though ${acknowledged.length} writes of it were acknowledged`);
      continue;
    }
    const winner = writes.get(final);
    if (!winner || winner.key !== key) {
      problems.add("garbage", `${key} holds ${show(final)}, which no client wrote to it`);
      continue;
    }
    superseded += acknowledged.filter((write) => write !== winner).length;
    if (winner.completedAt === undefined) continue;
    const later = acknowledged.find((write) => write.invokedAt > winner.completedAt! + slackMs);
    if (later) {
      problems.add(
        "lost",
        `${key} holds ${show(final)} (acknowledged at ${ms(winner.completedAt)}), but ${show(later.value)} was sent after that (at ${ms(later.invokedAt)}) and acknowledged: a write was lost`,
      );
    }
  }

  for (const read of history) {
    if (read.kind === "get" && read.completedAt !== undefined && read.value !== null && writes.get(read.value)?.key !== read.key)
      problems.add("garbage", `a GET of ${read.key} on replica ${read.replica} returned ${show(read.value)}, which no client wrote to it`);
  }

  const answered = history.filter((operation) => operation.completedAt !== undefined).length;
  return {
    valid: problems.count === 0,
    problemCount: problems.count,
    problems: problems.lines(),
    stats: {
      requests: history.length,
      answered,
      unanswered: history.length - answered,
      writesAcknowledged: history.filter((operation) => operation.kind === "set" && operation.completedAt !== undefined).length,
      writesSuperseded: superseded,
      keys: first!.size,
    },
  };
}

/** Problems by kind: the first few of each are told, the rest counted. */
class Problems {
  private readonly byKind = new Map<string, string[]>();
  count = 0;

  add(kind: string, line: string): void {
    this.count++;
    const lines = this.byKind.get(kind) ?? [];
    lines.push(line);
    this.byKind.set(kind, lines);
  }

  lines(): string[] {
    return [...this.byKind.values()].flatMap((lines) => (lines.length <= 3 ? lines : [...lines.slice(0, 3), `… and ${lines.length - 3} more like these`]));
  }
}

const show = (value: string | null) => (value === null ? "nothing" : JSON.stringify(value));
const ms = (t: number) => `${t.toFixed(1)} ms`;
