/** What a deployed program imports: `hydro-deploy/runtime`. */
export { connect, onStop, exit } from "./connect.js";
export { self, type Self } from "./self.js";
export { source, sink, type PortSpec, type PortOptions, type Ports, type Port } from "./ports.js";
export { Inbound, type Received, type InboundStats } from "./inbound.js";
export { Outbound, UnknownReceiverError, type SendOptions, type BroadcastOptions, type OutboundStats } from "./outbound.js";
export { json, bytes, type Codec } from "./codec.js";
export type { StandardSchema, Infer } from "./schema.js";
export * from "./dataflow/index.js";
export * from "./lattices/index.js";
