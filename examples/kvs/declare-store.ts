import type { Deployment, Host } from "hydro-deploy";
import type { Partitioning } from "./partitioning.js";

/** The replicas' cluster: member i is `replica.<i>`. */
export const REPLICAS = "replica";

export interface StoreOptions {
  layout: Partitioning;
  /** Replica i serves Redis on respPort + i. */
  respPort: number;
  gossipMs: number;
  /** Every this many gossip rounds, anti-entropy (replica-flow.ts); 0: never. */
  antiEntropyRounds?: number;
  /** Where the replicas run, round-robin, and the address the script reaches each at (the replica listens on it: self().address). */
  hosts: ReadonlyArray<{ on: Host; address: string }>;
}

/**
 * Declares the store on `d`: one cluster of `partitions × replication` replicas, every member's
 * peer ports reaching every member by id. Returns the cluster and each replica's service and
 * Redis address.
 */
export function declareStore(d: Deployment, { layout, respPort, gossipMs, antiEntropyRounds = 10, hosts }: StoreOptions) {
  const args = {
    "resp-port": respPort,
    "gossip-ms": gossipMs,
    "anti-entropy-rounds": antiEntropyRounds,
    partitions: layout.partitions,
    replication: layout.replication,
  };
  const cluster = d.cluster({
    name: REPLICAS,
    src: "./replica.ts",
    on: hosts.map(({ on }) => on),
    count: layout.partitions * layout.replication,
    args: Object.entries(args).flatMap(([flag, value]) => [`--${flag}`, String(value)]),
  });
  // Copies of a partition gossip; with several partitions, counterparts forward requests and answer.
  cluster.ports.gossip.connect(cluster.ports.peers);
  if (layout.partitions > 1) {
    cluster.ports.forward.connect(cluster.ports.forwarded);
    cluster.ports.answer.connect(cluster.ports.answers);
  }
  // Member i runs on hosts[i % hosts.length]: the cluster's round-robin.
  const replicas = cluster.members.map((service, i) => ({ service, host: hosts[i % hosts.length]!.address, port: respPort + i }));
  return { cluster, replicas };
}
