/**
 * What a deployment will look like, computed from the declarations alone (`hydro plan`): the hosts
 * with their kinds and networks, the programs on them, and every edge with the transport deploy()
 * will give it. The transport is decided by the same rules deploy() applies to launched hosts
 * (deploy/ports.ts bindsTcp, routeOf), here applied to the networks the host kinds declare.
 */
import type { Host } from "../host.js";
import { declarationOf } from "../host-declarer.js";
import type { Cluster } from "../nodes/cluster.js";
import type { DeployNode } from "../nodes/node.js";
import { bindsTcp, routeOf, type Edge, type Placed, type PortRef } from "../ports.js";
import { formatCallsite } from "../callsite.js";
import type { EdgeKind, PlannedEdge, PlannedHost, PlannedProgram, Topology, Transport } from "./topology-types.js";

export type { Topology };

interface PlacedHost extends Placed {
  readonly host: Host;
}

export function topologyOf(deployment: string, nodes: readonly DeployNode[], edges: readonly Edge[], clusters: readonly Cluster[], localhost: Host): Topology {
  const placed = new Map<Host, PlacedHost>();
  const place = (host: Host): PlacedHost => {
    let found = placed.get(host);
    if (!found) placed.set(host, (found = { host, network: declarationOf(host)?.network ?? `own:${host.name}`, local: host === localhost }));
    return found;
  };
  const hostOf = (node: DeployNode) => place(node.host ?? localhost);
  const clusterOf = new Map(clusters.flatMap((cluster) => cluster.members.map((member) => [member as DeployNode, cluster.name] as const)));

  const programs = nodes.map((node): PlannedProgram => {
    const cluster = clusterOf.get(node);
    return { name: node.name, kind: node.kind, host: hostOf(node).host.name, ...(cluster ? { cluster } : {}) };
  });

  // Per receiving port: its senders, and (once, as deploy() binds it once) whether it binds TCP.
  const intoPorts = new Map<PortRef, { senders: Edge[]; tcp?: boolean }>();
  for (const edge of edges) {
    const port = intoPorts.get(edge.to);
    if (port) port.senders.push(edge);
    else intoPorts.set(edge.to, { senders: [edge] });
  }
  const planned = edges.map((edge): PlannedEdge => {
    const [from, to] = [hostOf(edge.from.node as DeployNode), hostOf(edge.to.node as DeployNode)];
    const intoPort = intoPorts.get(edge.to)!;
    const kind: EdgeKind =
      clusterOf.has(edge.from.node as DeployNode) || clusterOf.has(edge.to.node as DeployNode)
        ? "cluster"
        : edge.mode === "demux"
          ? "demux"
          : intoPort.senders.length > 1
            ? "merge"
            : "direct";
    return {
      from: String(edge.from),
      to: String(edge.to),
      kind,
      ...(edge.mode === "demux" ? { key: edge.key } : {}),
      transport: transportOf(
        from,
        to,
        edge.to.node.wireKind === "raw",
        () =>
          (intoPort.tcp ??= bindsTcp(
            to,
            intoPort.senders.map((e) => hostOf(e.from.node as DeployNode)),
          )),
      ),
      ...(edge.site ? { site: formatCallsite(edge.site) } : {}),
    };
  });

  const hosts = [...placed.values()].map(({ host, network }): PlannedHost => ({ name: host.name, kind: declarationOf(host)?.kind ?? "unknown", network }));
  return { deployment, hosts, programs, edges: planned };
}

/** A process() binds its ports itself, always TCP (deploy/nodes/process.ts); a runtime's port binds what deploy/ports.ts bindsTcp says. */
function transportOf(from: PlacedHost, to: PlacedHost, rawReceiver: boolean, receiverBindsTcp: () => boolean): Transport {
  const route = routeOf(from, to);
  if (route.through === "deployer") return { via: "deployer", tunnelTo: route.tunnelTo, tunnelFrom: route.tunnelFrom };
  return rawReceiver || receiverBindsTcp() ? { via: "tcp", network: to.network } : { via: "unix socket" };
}
