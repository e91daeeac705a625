import type { OperatorSpec } from "../operator.js";
import { call, describeFunction, nameOf } from "../label.js";

/**
 * Anything that accepts items: an outbound port (`send(data)`), a channel, or a plain function.
 * A function is also how to send with per-item options: `([to, data]) => port.send(data, { to })`.
 */
export type Sink<T> = { send(item: T): unknown } | ((item: T) => unknown);

/** Sends every item to `sink` (DFIR `dest_sink`). */
export function destSink(sink: Sink<never>): OperatorSpec {
  const target = sink as Sink<unknown>;
  const send = typeof target === "function" ? target : (item: unknown) => target.send(item);
  return {
    kind: "destSink",
    label: call("destSink", typeof target === "function" ? describeFunction(target) : (nameOf(target) ?? target.constructor.name)),
    inputs: [{ name: "0" }],
    outputs: [],
    instantiate: () => ({ send, input: (_port, item) => void send(item) }),
    fused: { input: (c, _port, item) => `${c.field("send")}(${item});` },
  };
}
