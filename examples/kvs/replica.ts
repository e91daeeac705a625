import { parseArgs } from "node:util";
import { connect, onStop, sink, source } from "hydro-deploy/runtime";
import { Answer, Forwarded, PeerMessage } from "./messages.js";
import { Clock } from "./versioned.js";
import { Store } from "./store.js";
import { listenResp, type Request } from "./resp-server.js";
import { PEER_FRAME_BYTES, replicaGraph } from "./replica-flow.js";
import { partitionOfReplica, replicaName } from "./partitioning.js";

// One replica of the KVS: `replica.ts --replica <i> --listen <host> --resp-port <port> --gossip-ms <ms>
// --partitions <P> --replication <R>`; kvs.hydro.ts passes them.
const { values } = parseArgs({
  options: {
    replica: { type: "string", default: "0" },
    listen: { type: "string", default: "127.0.0.1" },
    "resp-port": { type: "string", default: "6400" },
    "gossip-ms": { type: "string", default: "100" },
    partitions: { type: "string", default: "1" },
    replication: { type: "string", default: "1" },
  },
});
const replica = Number(values.replica);
const layout = { partitions: Number(values.partitions), replication: Number(values.replication) };
const partition = partitionOfReplica(replica, layout);
const store = new Store(new Clock(replica));

// The Redis port opens before connect(), so that deploy() returning means every replica serves;
// requests that arrive before the graph exists wait here.
const early: Request[] = [];
let submit = (request: Request): void => void early.push(request);
const server = await listenResp({ host: values.listen, port: Number(values["resp-port"]), submit: (request) => submit(request) }).catch((error: Error) => {
  console.error(`replica ${replica}: ${error.message}`);
  process.exit(1);
});
const ports = await connect({
  peers: source(PeerMessage, { maxFrameBytes: PEER_FRAME_BYTES }),
  gossip: sink(PeerMessage),
  forwarded: source(Forwarded, { maxFrameBytes: PEER_FRAME_BYTES }),
  forward: sink(Forwarded),
  answers: source(Answer, { maxFrameBytes: PEER_FRAME_BYTES }),
  answer: sink(Answer),
});
onStop(() => server.close());

const copy = replica % layout.replication;
const { graph, requests } = replicaGraph({
  store,
  peers: ports.peers,
  send: (message, to) => {
    for (const peer of to === undefined ? ports.gossip.keys : [to]) ports.gossip.send(message, { to: peer });
  },
  gossipMs: Number(values["gossip-ms"]),
  partitioned:
    layout.partitions > 1
      ? {
          layout,
          partition,
          forwarded: ports.forwarded,
          answers: ports.answers,
          forward: (request, owner) => ports.forward.send(request, { to: replicaName(owner * layout.replication + copy) }),
          answer: (answer, to) => ports.answer.send(answer, { to }),
        }
      : undefined,
});
for (const request of early) requests.send(request);
submit = (request) => requests.send(request);
console.log(`replica ${replica} (partition ${partition}) serving Redis on ${server.address}`);
await graph.run();
