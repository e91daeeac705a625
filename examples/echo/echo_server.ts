import { connect, source, sink } from "hydro-deploy/runtime";
import { Ping, Echo, now } from "./messages.js";

// Logs each message and echoes it back, with a fresh timestamp, to whoever sent it.
const { inbound, outbound } = await connect({ inbound: source(Ping), outbound: sink(Echo) });

for await (const { from, data } of inbound) {
  console.log(`${from} says: ${data.text}`);
  outbound.send({ ...data, echoedAt: now() }, { to: from });
}
