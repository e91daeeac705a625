import { execa } from "execa";

export interface NetworkPlan {
  readonly bridge: string;
  readonly bridgeAddress: string;
  readonly prefixLength: number;
  readonly hosts: readonly HostLink[];
}

export interface HostLink {
  readonly namespace: string;
  /** Root-namespace end of the veth pair; the end inside the namespace is called eth0. */
  readonly veth: string;
  readonly address: string;
}

/**
 * A bridge in the root namespace (where the deployer runs) with one veth pair per host namespace.
 * Each namespace gets only its connected route: no default route, so nothing leaves the subnet.
 */
export async function createNetwork(plan: NetworkPlan): Promise<void> {
  await ipBatch([
    `link add ${plan.bridge} type bridge`,
    `addr add ${plan.bridgeAddress}/${plan.prefixLength} dev ${plan.bridge}`,
    `link set ${plan.bridge} up`,
    ...plan.hosts.flatMap((host) => [
      `netns add ${host.namespace}`,
      `link add ${host.veth} type veth peer name eth0 netns ${host.namespace}`,
      `link set ${host.veth} master ${plan.bridge} up`,
    ]),
  ]);
  await Promise.all(
    plan.hosts.map((host) =>
      ipBatch(
        [
          // Loopback is per namespace; services bound to 127.0.0.1 need it.
          "link set lo up",
          `addr add ${host.address}/${plan.prefixLength} dev eth0`,
          "link set eth0 up",
        ],
        host.namespace,
      ),
    ),
  );
}

/** Unplugs (or replugs) a host's cable at the bridge: its packets are dropped, its own setup stays. */
export async function setLinkState(veth: string, state: "up" | "down"): Promise<void> {
  await execa("ip", ["link", "set", veth, state]);
}

/** Runs `ip` commands in one process, stopping at the first that fails. */
async function ipBatch(commands: readonly string[], namespace?: string): Promise<void> {
  const inNamespace = namespace === undefined ? [] : ["-n", namespace];
  await execa("ip", [...inNamespace, "-batch", "-"], { input: commands.join("\n") + "\n" });
}
