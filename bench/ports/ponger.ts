import { connect, sink, source } from "hydro-deploy/runtime";
import { text } from "./messages.js";

// Sends every message straight back.
const { inbound, out } = await connect({ inbound: source(text), out: sink(text) });
for await (const { data } of inbound) out.send(data);
