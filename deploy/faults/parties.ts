import { ConfigError } from "../errors.js";
import { DeployNode } from "../nodes/node.js";
import { Cluster } from "../nodes/cluster.js";
import type { NodeOwner } from "../nodes/owner.js";

/**
 * Who a fault is between: a program (a service, a cluster's member), a whole cluster, or the
 * script's own external endpoint; a group is one of those or a list of them.
 */
export type Party = DeployNode | Cluster;
export type Group = Party | readonly Party[];

/** The nodes of a group, each checked: of this deployment, and one whose ports a fault can reach. */
export function nodesOf(group: unknown, owner: NodeOwner, where: string): Set<DeployNode> {
  const parties = Array.isArray(group) ? group : [group];
  if (parties.length === 0) throw new ConfigError(`${where}: the group is empty`);
  const nodes = new Set<DeployNode>();
  for (const party of parties) {
    for (const node of party instanceof Cluster ? party.members : [party]) {
      if (!(node instanceof DeployNode))
        throw new ConfigError(`${where}: expected a program, a cluster or an external endpoint of ${owner.name}, got ${describe(party)}`);
      if (node.owner !== owner) throw new ConfigError(`${where}: ${node.describe()} belongs to another deployment (${node.owner.name}), not ${owner.name}`);
      if (!node.applyFaults)
        throw new ConfigError(
          `${where}: ${node.describe()} talks raw TCP: faults act on hydro ports (services, clusters, the script's external ports), not on what process() commands send`,
        );
      nodes.add(node);
    }
  }
  return nodes;
}

/** A group as a message names it: `{a, b}`; a whole cluster as `replica.*`. */
export function groupName(group: Group): string {
  const parties = Array.isArray(group) ? group : [group];
  const names = parties.map((party: Party) => (party instanceof Cluster ? `${party.name}.*` : party.name));
  return names.length === 1 ? names[0]! : `{${names.join(", ")}}`;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value)} (pass the program's handle, not its name)`;
  if (typeof value === "function") return `a function ${value.name || "(anonymous)"}`;
  if (typeof value !== "object") return `${typeof value} ${String(value)}`;
  return `an object of class ${value.constructor?.name ?? "Object"}`;
}
