import { connect, source, json, type Codec } from "hydro-deploy/runtime";
import { msgpack } from "hydro-deploy/runtime/msgpack";
import { flags, text } from "./messages.js";

// Receives --count messages (one loop step per message, or per burst with --batches yes) and
// prints `rate <messages per second>`, first message to last.
const { count, codec, batches } = flags();
const { inbound } = await connect({ inbound: source(text, { codec: codec === "msgpack" ? msgpack : (json as Codec) }) });
let received = 0;
let first = 0;
const counted = () => {
  if (received++ === 0) first = performance.now();
  return received === Number(count);
};
if (batches === "yes") {
  bursts: for await (const burst of inbound.batches()) for (const _ of burst) if (counted()) break bursts;
} else {
  for await (const _ of inbound) if (counted()) break;
}
console.log(`rate ${((Number(count) - 1) / (performance.now() - first)) * 1000}`);
