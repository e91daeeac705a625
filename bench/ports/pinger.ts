import { connect, sink, source } from "hydro-deploy/runtime";
import { build } from "hdr-histogram-js";
import { flags, message, text } from "./messages.js";

// --count round trips of --bytes after --warmup more; prints `p99 <microseconds>`.
const { count, bytes, warmup } = flags();
const { out, back } = await connect({ out: sink(text), back: source(text) });
const replies = back[Symbol.asyncIterator]();
const histogram = build();
const payload = message(Number(bytes));
for (let i = 0; i < Number(warmup) + Number(count); i++) {
  const started = performance.now();
  out.send(payload);
  await replies.next();
  if (i >= Number(warmup)) histogram.recordValue(Math.round((performance.now() - started) * 1000));
}
console.log(`p99 ${histogram.getValueAtPercentile(99)}`);
