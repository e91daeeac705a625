import { connect, source, sink, Graph } from "hydro-deploy/runtime";
import { Ping, Echo, now } from "./messages.js";

// echo_server.ts as a dataflow graph: each ping is stamped, logged, and sent back to its sender.
const { inbound, outbound } = await connect({ inbound: source(Ping), outbound: sink(Echo) });

const g = new Graph({ name: "echo_server" });
g.sourceStream(inbound)
  .map(({ from, data }) => [from, { ...data, echoedAt: now() }] as const)
  .inspect(([from, echo]) => console.log(`${from} says: ${echo.text}`))
  .destSink(([to, echo]) => outbound.send(echo, { to }));
await g.run();
