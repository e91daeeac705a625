import { parseArgs } from "node:util";
import { connect, exit, source, sink } from "hydro-deploy/runtime";
import { Ping, Echo, now } from "./messages.js";

// Sends --count pings one at a time and prints each round-trip time.
const { values } = parseArgs({ options: { count: { type: "string", default: "10" } }, allowPositionals: true });
const count = Number(values.count);

const { inbound, outbound } = await connect({ inbound: source(Echo), outbound: sink(Ping) });
const echoes = inbound[Symbol.asyncIterator]();

const rtts: number[] = [];
for (let seq = 0; seq < count; seq++) {
  outbound.send({ seq, text: `hello ${seq}`, sentAt: now() });
  const { value } = await echoes.next();
  const rtt = now() - value!.data.sentAt;
  rtts.push(rtt);
  console.log(`echo ${seq}: ${rtt.toFixed(3)} ms round trip`);
}
const mean = rtts.reduce((a, b) => a + b, 0) / Math.max(rtts.length, 1);
console.log(`done: ${count} echoes, mean round trip ${mean.toFixed(3)} ms`);
await exit(0);
