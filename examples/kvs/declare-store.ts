import type { Deployment, Host } from "hydro-deploy";
import { copiesOf, counterpartsOf, replicaName, type Partitioning } from "./partitioning.js";

export interface StoreOptions {
  layout: Partitioning;
  /** Replica i serves Redis on respPort + i. */
  respPort: number;
  gossipMs: number;
  /** Where the replicas run, round-robin, and the address each listens on there. */
  hosts: ReadonlyArray<{ on: Host; address: string }>;
}

/** Declares the store's replicas on `d` and wires them; returns each replica's service and Redis address. */
export function declareStore(d: Deployment, { layout, respPort, gossipMs, hosts }: StoreOptions) {
  const replicas = Array.from({ length: layout.partitions * layout.replication }, (_, i) => {
    const { on, address } = hosts[i % hosts.length]!;
    const port = respPort + i;
    const args = { replica: i, listen: address, "resp-port": port, "gossip-ms": gossipMs, partitions: layout.partitions, replication: layout.replication };
    const service = d.service({
      name: replicaName(i),
      src: "./replica.ts",
      on,
      args: Object.entries(args).flatMap(([flag, value]) => [`--${flag}`, String(value)]),
    });
    return { service, host: address, port };
  });
  // Copies of a partition gossip; counterparts in other partitions forward requests and answer.
  for (const [i, { service }] of replicas.entries()) {
    const copies = copiesOf(i, layout).map((other) => replicas[other]!.service);
    if (copies.length > 0) service.ports.gossip.demux(copies.map((copy) => copy.ports.peers));
    const counterparts = counterpartsOf(i, layout).map((other) => replicas[other]!.service);
    if (counterparts.length > 0) {
      service.ports.forward.demux(counterparts.map((counterpart) => counterpart.ports.forwarded));
      service.ports.answer.demux(counterparts.map((counterpart) => counterpart.ports.answers));
    }
  }
  return replicas;
}
