// allocateNetworkIP for a GCE double whose VMs boot as hosts of a test cluster: the private
// addresses it hands out are ones a booted host can take on the cluster's bridge. README §GCE boot agent.
import { type ClusterAddresses, bootableAddresses } from "../../e2e/cluster/booted-addresses.js";
import { bootedHostHas } from "../../e2e/cluster/boot.js";
import { OperationRejected } from "./collection.js";
import { ipSpaceExhausted } from "./errors.js";
import type { AddressRequest } from "./double.js";
import type { Json } from "./store.js";

/**
 * Hands out the highest free address of the cluster's /24 not handed out before (then any free one). Taken are: the bridge's and the static
 * hosts', those of every instance the double holds (in any status: as on GCE, a TERMINATED instance
 * keeps its internal address until it is deleted), and those of hosts other agents booted. Highest
 * first because moto hands out its from .4 upwards, so both agents can share one cluster.
 */
export function clusterAddressAllocator(
  cluster: ClusterAddresses & { readonly id: string },
  instancesNow: () => readonly Json[],
): (request: AddressRequest) => string {
  // The double stores an instance in the same turn of the event loop in which it asks for the
  // instance's addresses; until that turn is over they are held here.
  const handedOut = new Set<string>();
  // An address given to a new host soon after the old one left is stale in the neighbours' ARP
  // caches (another MAC) for ~30 s: connections to it hang. So addresses are not reused while fresh ones remain.
  const everHandedOut = new Set<string>();
  return ({ subnetwork }) => {
    const held = new Set(instancesNow().flatMap((vm) => ((vm.networkInterfaces ?? []) as Json[]).map((nic) => String(nic.networkIP))));
    const candidates = bootableAddresses(cluster)
      .reverse()
      .filter((address) => !held.has(address) && !handedOut.has(address) && !bootedHostHas(cluster, address));
    const free = candidates.find((address) => !everHandedOut.has(address)) ?? candidates[0];
    if (free === undefined) throw new OperationRejected(ipSpaceExhausted(subnetwork));
    handedOut.add(free);
    everHandedOut.add(free);
    setImmediate(() => handedOut.delete(free));
    return free;
  };
}
