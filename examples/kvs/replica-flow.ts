import { Graph, type Received, type Sender } from "hydro-deploy/runtime";
import type { Store } from "./store.js";
import type { Request } from "./resp-server.js";
import type { PeerMessage } from "./messages.js";

export interface ReplicaWiring {
  store: Store;
  /** Messages from the other replicas (an inbound port). */
  peers: AsyncIterable<Received<PeerMessage>>;
  /** Sends to one replica, by name, or to every other replica. */
  send(message: PeerMessage, to?: string): void;
  /** How often local writes are gossiped to the peers. */
  gossipMs: number;
}

/**
 * One replica as a dataflow graph (docs: examples/kvs/README.md):
 *
 *   clients ─ demux ─┬─ read  ─ lookup ─┐
 *                    ├─ write ─ apply  ─┼─ union ─ reply to the client
 *                    └─ meta  ─ answer ─┘
 *   peers ── demux ─┬─ gossip ─ merge into the table (a lattice merge)
 *                   └─ join   ─ send the whole table back to that peer
 *   every gossipMs ─ the local writes since the last round ─ every peer
 *   first tick ─ ask every peer for its table (a replica that restarts catches up)
 *
 * Each request runs to its reply inside one tick, in the order it arrived, so a pipelined GET
 * sees the SET before it.
 */
export function replicaGraph({ store, peers, send, gossipMs }: ReplicaWiring): { graph: Graph; requests: Sender<Request> } {
  const graph = new Graph({ name: "kvs_replica" });
  const [requests, sender] = graph.sourceChannel<Request>();

  const byKind = requests.demux<{ read: Request; write: Request; meta: Request }>(["read", "write", "meta"], (request, out) =>
    out[request.command.kind](request),
  );
  const answered = (request: Request) => [request, request.command.run(store, request.words)] as const;
  byKind.read
    .map(answered)
    .union(byKind.write.map(answered), byKind.meta.map(answered))
    .destSink(([request, reply]) => request.client.reply(request.slot, reply, request.last));

  const fromPeers = graph
    .sourceStream(peers)
    .demux<{ gossip: PeerMessage & { kind: "gossip" }; join: string }>(["gossip", "join"], ({ from, data }, out) =>
      data.kind === "gossip" ? out.gossip(data) : out.join(from),
    );
  fromPeers.gossip.forEach((message) => store.mergeRemote(message.entries));
  fromPeers.join.forEach((peer) => send({ kind: "gossip", entries: store.snapshot() }, peer));

  graph
    .sourceInterval(gossipMs)
    .map(() => store.takeDelta())
    .filter((entries) => entries.length > 0)
    .forEach((entries) => send({ kind: "gossip", entries }));
  graph.initialize().forEach(() => send({ kind: "join" }));

  return { graph, requests: sender };
}
