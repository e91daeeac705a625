import type { OperatorSpec } from "../operator.js";
import { call, describeFunction } from "../label.js";

/** Routes each item to any of several named outputs, possibly transformed (DFIR `demux`). */
export function demux(outputs: readonly string[], route: (item: never, out: Record<string, (value: unknown) => void>) => void): OperatorSpec {
  const send = route as (item: unknown, out: Record<string, (value: unknown) => void>) => void;
  return {
    kind: "demux",
    label: call("demux", describeFunction(route)),
    inputs: [{ name: "0" }],
    outputs,
    instantiate: (out) => {
      const named = Object.fromEntries(outputs.map((name, i) => [name, out[i]!]));
      return { input: (_port, item) => send(item, named) };
    },
  };
}

/** Sends each item, unchanged, to the one output `choose` names (DFIR `partition`). */
export function partition(outputs: readonly string[], choose: (item: never) => string): OperatorSpec {
  const pick = choose as (item: unknown) => string;
  const index = new Map(outputs.map((name, i) => [name, i]));
  return {
    kind: "partition",
    label: call("partition", describeFunction(choose)),
    inputs: [{ name: "0" }],
    outputs,
    instantiate: (out) => ({
      input: (_port, item) => {
        const name = pick(item);
        const port = index.get(name);
        if (port === undefined) throw new Error(`partition chose "${name}", not one of ${outputs.join(", ")}`);
        out[port]!(item);
      },
    }),
  };
}
