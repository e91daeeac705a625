import { Graph, type Received, type Sender } from "hydro-deploy/runtime";
import type { Entry, Store } from "./store.js";
import type { Request } from "./resp-server.js";
import type { Answer, Forwarded, PeerMessage } from "./messages.js";
import { execute, forwardedSession, keysOf, resolve } from "./commands.js";
import { error } from "./resp.js";
import { partitionOfKey, type Partitioning } from "./partitioning.js";

export interface ReplicaWiring {
  store: Store;
  /** Messages from the other copies of this replica's partition (an inbound port). */
  peers: AsyncIterable<Received<PeerMessage>>;
  /** The other copies of this replica's partition, named as their messages' `from`. */
  copies: readonly string[];
  /** Sends to one copy, by name, or to every other copy. */
  send(message: PeerMessage, to?: string): void;
  /** How often local writes are gossiped to the peers. */
  gossipMs: number;
  /** Every this many gossip rounds, the table's digest goes to the peers (ANTI_ENTROPY_ROUNDS by default; 0: never). */
  antiEntropyRounds?: number;
  /** With several partitions: this replica's partition, and how it reaches the others'. */
  partitioned?: PartitionWiring;
}

export interface PartitionWiring {
  layout: Partitioning;
  partition: number;
  /** Requests other partitions forwarded here, and the answers to the ones this replica forwarded. */
  forwarded: AsyncIterable<Received<Forwarded>>;
  answers: AsyncIterable<Received<Answer>>;
  /** Sends a request to the counterpart in `partition`; an answer back to the replica `to`. */
  forward(request: Forwarded, partition: number): void;
  answer(answer: Answer, to: string): void;
}

/** A forwarded request not answered within this gets an error reply, so its client is not stuck. */
export const FORWARD_TIMEOUT_MS = 5_000;

/** By default, every this many gossip rounds a replica sends its digest to its peers (anti-entropy: what gossip lost is found). */
export const ANTI_ENTROPY_ROUNDS = 10;

/** A `join` not answered with a whole table is sent again after gossipMs, then twice as long each time, up to this. */
export const JOIN_RETRY_MAX_MS = 2_000;

/**
 * Registers per gossip message, cut at about this many bytes: a peer port takes frames of at most
 * PEER_FRAME_BYTES, and a long message would hold the link for everything behind it.
 */
const MESSAGE_BYTES = 4 * 1024 * 1024;

/** The largest frame a peer port takes: one register as JSON at worst (a 64 MiB value of \\u0000s is 384 MiB). */
export const PEER_FRAME_BYTES = 512 * 1024 * 1024;

function* inMessages(entries: readonly Entry[]): Generator<Entry[]> {
  let part: Entry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry[0].length + (entry[2]?.length ?? 0) + 32;
    if (part.length > 0 && bytes + size > MESSAGE_BYTES) {
      yield part;
      part = [];
      bytes = 0;
    }
    part.push(entry);
    bytes += size;
  }
  if (part.length > 0) yield part;
}

const CROSSSLOT = error("CROSSSLOT Keys in request don't hash to the same partition");

/**
 * One replica as a dataflow graph (examples/kvs/README.md):
 *
 *   clients ─ demux ─┬─ read    ─ look up ─┐
 *                    ├─ write   ─ apply  ──┼─ union ─ reply to the client
 *                    ├─ meta    ─ answer ──┘                 ↑
 *                    └─ forward ─ to the owning partition ── answers
 *   forwarded ─ run here ─ answer to the sender
 *   peers ── demux ─┬─ gossip ─ merge into the table (a lattice merge)
 *                   ├─ join   ─ send the whole table back to that peer
 *                   └─ digest ─ send that peer the buckets whose digests differ
 *   every gossipMs ─ the local writes since the last round ─ every peer; expire stuck forwards;
 *                    ask again the peers whose whole table has not arrived (backing off);
 *                    every antiEntropyRounds rounds, the table's digest ─ every peer
 *   first tick ─ ask every peer for its table (a replica that restarts catches up)
 *
 * Each local request runs to its reply inside one tick, in the order it arrived, so a pipelined
 * GET sees the SET before it; forwarded ones keep their place in the client's reply order.
 */
export function replicaGraph({ store, peers, copies, send, gossipMs, antiEntropyRounds = ANTI_ENTROPY_ROUNDS, partitioned }: ReplicaWiring): {
  graph: Graph;
  requests: Sender<Request>;
} {
  const graph = new Graph({ name: "kvs_replica" });
  const [requests, sender] = graph.sourceChannel<Request>();
  const reply = (request: Request, encoded: string) => request.client.reply(request.slot, encoded, request.last);

  /** Which partition must run a request: this one, another (a number), or none (keys of several). */
  const owner = (request: Request): "here" | "several" | number => {
    if (!partitioned) return "here";
    const keys = keysOf(request.command, request.words);
    if (keys.length === 0) return "here";
    const first = partitionOfKey(keys[0]!, partitioned.layout);
    for (let i = 1; i < keys.length; i++) if (partitionOfKey(keys[i]!, partitioned.layout) !== first) return "several";
    return first === partitioned.partition ? "here" : first;
  };
  const byKind = requests.demux<{ read: Request; write: Request; meta: Request; forward: [Request, number]; crossPartition: Request }>(
    ["read", "write", "meta", "forward", "crossPartition"],
    (request, out) => {
      const partition = owner(request);
      if (partition === "here") out[request.command.kind](request);
      else if (partition === "several") out.crossPartition(request);
      else out.forward([request, partition]);
    },
  );
  const answered = (request: Request) => [request, execute(request.command, store, request.words, request.client.session)] as const;
  byKind.read
    .map(answered)
    .union(
      byKind.write.map(answered),
      byKind.meta.map(answered),
      byKind.crossPartition.map((request) => [request, CROSSSLOT] as const),
    )
    .destSink(([request, encoded]) => reply(request, encoded));

  // The copies whose whole table has not arrived since this replica started. Its first joins (and
  // their answers) may be lost: a restarted replica's peers drop what they send it until their
  // connections to it are back. So it asks again, backing off, until each copy answered.
  const unanswered = new Set(copies);
  let joinAgainAt = Infinity;
  let joinWaitMs = gossipMs;
  const join = (to: Iterable<string> | undefined, now: number) => {
    if (to === undefined) send({ kind: "join" });
    else for (const peer of to) send({ kind: "join" }, peer);
    joinAgainAt = now + joinWaitMs;
    joinWaitMs = Math.min(2 * joinWaitMs, Math.max(gossipMs, JOIN_RETRY_MAX_MS));
  };

  const fromPeers = graph
    .sourceStream(peers)
    .demux<{ gossip: Received<PeerMessage & { kind: "gossip" }>; join: string; digest: Received<PeerMessage & { kind: "digest" }> }>(
      ["gossip", "join", "digest"],
      ({ from, data }, out) => (data.kind === "gossip" ? out.gossip({ from, data }) : data.kind === "join" ? out.join(from) : out.digest({ from, data })),
    );
  fromPeers.gossip.forEach(({ from, data }) => {
    store.mergeRemote(data.entries);
    if (data.whole) unanswered.delete(from);
  });
  fromPeers.join.forEach((peer) => {
    const parts = [...inMessages(store.snapshot())];
    parts.forEach((entries, i) => send(i === parts.length - 1 ? { kind: "gossip", entries, whole: true } : { kind: "gossip", entries }, peer));
    if (parts.length === 0) send({ kind: "gossip", entries: [], whole: true }, peer);
  });

  fromPeers.digest.forEach(({ from, data }) => {
    for (const entries of inMessages(store.differingFrom(data.buckets))) send({ kind: "gossip", entries }, from);
  });

  const ticks = graph.sourceInterval(gossipMs);
  let rounds = 0;
  ticks.forEach(() => {
    if (antiEntropyRounds > 0 && ++rounds % antiEntropyRounds === 0 && copies.length > 0) send({ kind: "digest", buckets: store.digest() });
  });
  ticks
    .map(() => store.takeDelta())
    .filter((entries) => entries.length > 0)
    .forEach((entries) => {
      for (const part of inMessages(entries)) send({ kind: "gossip", entries: part });
    });
  ticks.forEach((now) => {
    if (unanswered.size > 0 && now >= joinAgainAt) join(unanswered, now);
  });
  graph.initialize().forEach(() => {
    if (unanswered.size > 0) join(undefined, Date.now());
  });

  if (partitioned) {
    const waiting = new Map<number, { request: Request; partition: number; sentAt: number }>();
    let nextId = 0;
    byKind.forward.forEach(([request, partition]) => {
      const id = nextId++;
      waiting.set(id, { request, partition, sentAt: Date.now() });
      // The protocol the client speaks now (after any HELLO before this request), so the owner encodes the reply in it.
      const { version } = request.client.session.protocol;
      partitioned.forward(version === 2 ? { id, words: request.words } : { id, words: request.words, protocol: version }, partition);
    });
    graph
      .sourceStream(partitioned.forwarded)
      .map(({ from, data }) => [from, { id: data.id, reply: execute(resolve(data.words), store, data.words, forwardedSession(data.protocol ?? 2)) }] as const)
      .forEach(([from, answer]) => partitioned.answer(answer, from));
    graph.sourceStream(partitioned.answers).forEach(({ data }) => {
      const forwarded = waiting.get(data.id);
      if (!forwarded) return;
      waiting.delete(data.id);
      reply(forwarded.request, data.reply);
    });
    // Map order is send order, so the stuck ones are at the front. Checked often whatever gossipMs is.
    graph.sourceInterval(Math.min(gossipMs, FORWARD_TIMEOUT_MS / 20)).forEach((now) => {
      for (const [id, { request, partition, sentAt }] of waiting) {
        if (now - sentAt < FORWARD_TIMEOUT_MS) break;
        waiting.delete(id);
        reply(request, error(`ERR partition ${partition} did not answer within ${FORWARD_TIMEOUT_MS} ms`));
      }
    });
  } else {
    byKind.forward.null();
  }

  return { graph, requests: sender };
}
