// What the GCE double lacks: machines. Each instance that reaches RUNNING becomes a real namespace
// SSH host of the test cluster, at a networkIP of the cluster's /24, set up by its startup-script;
// deleting the instance removes the host, and a guest that powers itself off leaves its instance
// TERMINATED. README §GCE boot agent.
import type { BootedHost } from "../../e2e/cluster/boot.js";
import type { ClusterDescription } from "../../e2e/cluster/cluster.js";
import { BootedHosts } from "../boot-agent/booted-hosts.js";
import { type GceDouble, type GceDoubleOptions, startGceDouble } from "./double.js";
import { clusterAddressAllocator } from "./gce-cluster-addresses.js";
import { watchPoweredOff } from "../boot-agent/powered-off-watcher.js";

export interface GceBootAgentOptions extends Omit<GceDoubleOptions, "allocateNetworkIP" | "onInstanceRunning" | "onInstanceDeleted"> {
  /** A running cluster: its VMs become hosts on its bridge. */
  readonly cluster: ClusterDescription;
  /** How often the agent looks for guests that powered off (default 200). */
  readonly pollMs?: number;
}

export interface GceWithBootAgent {
  readonly gce: GceDouble;
  /** "zone/name" → its host, for every instance booted and not removed yet. */
  booted(): ReadonlyMap<string, BootedHost>;
  /** What failed in the background, the double's own `backgroundErrors` included; a test asserts it stays empty. */
  readonly errors: readonly Error[];
  /** Stops watching and the double (waiting for hooks in progress), then removes every booted host. */
  stop(): Promise<void>;
}

export const instanceKey = (zone: string, name: string) => `${zone}/${name}`;

export async function startGceWithBootAgent({ cluster, pollMs, ...options }: GceBootAgentOptions): Promise<GceWithBootAgent> {
  const hosts = new BootedHosts(cluster);
  const gce: GceDouble = await startGceDouble({
    ...options,
    // Called only for inserts, so never before `gce` is set.
    allocateNetworkIP: clusterAddressAllocator(cluster, () => gce.instances()),
    onInstanceRunning: async (vm) => {
      const userData = vm.metadata["startup-script"] ?? "";
      await hosts.boot(instanceKey(vm.zone, vm.name), { name: vm.name, address: vm.networkIP, userData });
    },
    onInstanceDeleted: (vm) => hosts.remove(instanceKey(vm.zone, vm.name)),
  });

  const watcher = watchPoweredOff(
    hosts,
    async (key) => {
      const [zone, name] = key.split("/") as [string, string];
      // A delete that began meanwhile has it STOPPING already, and goes on without the guest.
      if (statusOf(gce, zone, name) === "RUNNING") await gce.guestPoweredOff(zone, name);
    },
    pollMs,
  );

  let stopping: Promise<void> | undefined;
  return {
    gce,
    booted: () => hosts.booted(),
    get errors() {
      return [...hosts.errors, ...gce.backgroundErrors.map((error) => (error instanceof Error ? error : new Error(String(error))))];
    },
    stop: () =>
      (stopping ??= (async () => {
        await watcher.stop();
        // After the double: no hook can boot a host once the removal has begun.
        await gce.stop();
        await hosts.removeAll();
      })()),
  };
}

function statusOf(gce: GceDouble, zone: string, name: string): unknown {
  return gce.instances().find((vm) => vm.name === name && String(vm.zone).endsWith(`/zones/${zone}`))?.status;
}
