import { parseArgs } from "node:util";
import { connect, onStop, self, sink, source } from "hydro-deploy/runtime";
import { Answer, Forwarded, PeerMessage } from "./messages.js";
import { Clock } from "./versioned.js";
import { Store } from "./store.js";
import { listenResp, type Request } from "./resp-server.js";
import { PEER_FRAME_BYTES, replicaGraph } from "./replica-flow.js";
import { copiesOf, partitionOfReplica } from "./partitioning.js";

// One replica of the KVS, a member of kvs.hydro.ts's cluster (declare-store.ts), which passes
// `--resp-port <port> --gossip-ms <ms> --anti-entropy-rounds <n> --partitions <P> --replication <R>` to every member alike.
// Member i (self().id) listens on its host's address (self().address) at port resp-port + i.
const me = self();
if (me?.cluster === undefined) {
  console.error("replica.ts runs as a member of a cluster: see examples/kvs/declare-store.ts");
  process.exit(1);
}
const { values } = parseArgs({
  options: {
    "resp-port": { type: "string", default: "6400" },
    "gossip-ms": { type: "string", default: "100" },
    "anti-entropy-rounds": { type: "string", default: "10" },
    partitions: { type: "string", default: "1" },
    replication: { type: "string", default: "1" },
  },
});
const replica = me.id;
const layout = { partitions: Number(values.partitions), replication: Number(values.replication) };
if (layout.partitions * layout.replication !== me.size) {
  console.error(`${me.name}: --partitions ${layout.partitions} × --replication ${layout.replication} is not the cluster's ${me.size} members`);
  process.exit(1);
}
const partition = partitionOfReplica(replica, layout);
const store = new Store(new Clock(replica));

// The Redis port opens before connect(), so that deploy() returning means every replica serves;
// requests that arrive before the graph exists wait here.
const early: Request[] = [];
let submit = (request: Request): void => void early.push(request);
const server = await listenResp({ host: me.address, port: Number(values["resp-port"]) + replica, submit: (request) => submit(request) }).catch(
  (error: Error) => {
    console.error(`replica ${replica}: ${error.message}`);
    process.exit(1);
  },
);
// Each peer port reaches every member, keyed by its id ("0", "1", …), this one included; a
// message's `from` is the sender's name, `replica.<id>`.
const ports = await connect({
  peers: source(PeerMessage, { maxFrameBytes: PEER_FRAME_BYTES }),
  gossip: sink(PeerMessage),
  forwarded: source(Forwarded, { maxFrameBytes: PEER_FRAME_BYTES }),
  forward: sink(Forwarded),
  answers: source(Answer, { maxFrameBytes: PEER_FRAME_BYTES }),
  answer: sink(Answer),
});
onStop(() => server.close());

/** A member's id (its key on a peer port) from its name, `<cluster>.<id>`. */
const idOf = (name: string) => name.slice(name.lastIndexOf(".") + 1);
/** The other copies of this partition, by name: whom it gossips with (none when it is the only copy). */
const copies = copiesOf(replica, layout).map((id) => `${me.cluster}.${id}`);
const copy = replica % layout.replication;
const { graph, requests } = replicaGraph({
  store,
  peers: ports.peers,
  copies,
  send: (message, to) => {
    for (const peer of to === undefined ? copies : [to]) ports.gossip.send(message, { to: idOf(peer) });
  },
  gossipMs: Number(values["gossip-ms"]),
  antiEntropyRounds: Number(values["anti-entropy-rounds"]),
  partitioned:
    layout.partitions > 1
      ? {
          layout,
          partition,
          forwarded: ports.forwarded,
          answers: ports.answers,
          forward: (request, owner) => ports.forward.send(request, { to: String(owner * layout.replication + copy) }),
          answer: (answer, to) => ports.answer.send(answer, { to: idOf(to) }),
        }
      : undefined,
});
for (const request of early) requests.send(request);
submit = (request) => requests.send(request);
console.log(`replica ${replica} (partition ${partition}) serving Redis on ${server.address}`);
await graph.run();
