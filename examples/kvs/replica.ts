import { parseArgs } from "node:util";
import { connect, onStop, sink, source } from "hydro-deploy/runtime";
import { PeerMessage } from "./messages.js";
import { Clock } from "./versioned.js";
import { Store } from "./store.js";
import { listenResp, type Request } from "./resp-server.js";
import { replicaGraph } from "./replica-flow.js";

// One replica of the KVS: `replica.ts --replica <id> --listen <host> --resp-port <port> --gossip-ms <ms>`.
const { values } = parseArgs({
  options: {
    replica: { type: "string", default: "0" },
    listen: { type: "string", default: "127.0.0.1" },
    "resp-port": { type: "string", default: "6400" },
    "gossip-ms": { type: "string", default: "100" },
  },
});
const replica = Number(values.replica);
const store = new Store(new Clock(replica));

// The Redis port opens before connect(), so that deploy() returning means every replica serves;
// requests that arrive before the graph exists wait here.
const early: Request[] = [];
let submit = (request: Request): void => void early.push(request);
const server = await listenResp({ host: values.listen, port: Number(values["resp-port"]), submit: (request) => submit(request) }).catch((error: Error) => {
  console.error(`replica ${replica}: ${error.message}`);
  process.exit(1);
});
const { peers, gossip } = await connect({ peers: source(PeerMessage), gossip: sink(PeerMessage) });
onStop(() => server.close());

const { graph, requests } = replicaGraph({
  store,
  peers,
  send: (message, to) => {
    for (const peer of to === undefined ? gossip.keys : [to]) gossip.send(message, { to: peer });
  },
  gossipMs: Number(values["gossip-ms"]),
});
for (const request of early) requests.send(request);
submit = (request) => requests.send(request);
console.log(`replica ${replica} serving Redis on ${server.address}`);
await graph.run();
