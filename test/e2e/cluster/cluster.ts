import { mkdir, writeFile } from "node:fs/promises";
import { type ClusterHost, type HostDescription, startHost } from "./cluster-host.js";
import { clusterLayout, newClusterId } from "./layout.js";
import { createNetwork } from "./network.js";
import { ensurePackages } from "./packages.js";
import { waitUntilGone } from "./processes.js";
import { forgetOnExit, removeOnExit } from "./remove-on-exit.js";
import { SESSION_PATH, directoriesHoldingNode } from "./session-path.js";
import { generateKeyPair } from "./ssh-keys.js";
import { MAX_HOSTS, pickFreeSubnet, routedPrefixes } from "./subnet.js";
import { removeClusters } from "./teardown.js";

export type { ClusterHost, HostDescription, HostExecResult } from "./cluster-host.js";

export interface StartClusterOptions {
  /** How many hosts: host1 … hostN. */
  readonly hosts: number;
  /** Hosts without node: node, npm, npx… are missing from their PATH directories, as if never installed. */
  readonly withoutNode?: readonly string[];
}

/** What a cluster is, printable and written to cluster.json. */
export interface ClusterDescription {
  /** 6 hex digits; every namespace, link and file of the cluster carries it. */
  readonly id: string;
  /** "10.x.y.0/24" */
  readonly subnet: string;
  /** The bridge's address in the root namespace, where the deployer runs: hosts reach it, it reaches them. */
  readonly deployerAddress: string;
  /** Directory with keys, sshd configs and logs, pid files and the hosts' home directories. */
  readonly dir: string;
  /** Client key authorized for root on every host. */
  readonly privateKeyPath: string;
  /** OpenSSH known_hosts with every host's key. */
  readonly knownHostsPath: string;
  /** This description as JSON, for scripts and people using a cluster from `cluster:up`. */
  readonly manifestPath: string;
  readonly hosts: readonly HostDescription[];
}

export interface Cluster extends ClusterDescription {
  readonly hosts: readonly ClusterHost[];
  host(name: string): ClusterHost;
  /** Removes every namespace, link, process and file of the cluster. Safe to call twice. */
  stop(): Promise<void>;
}

const SSH_PORT = 22;

/**
 * N hosts, each a network namespace with its own OpenSSH sshd, joined by a bridge to the root
 * namespace on a private /24 with no route out. Removed by `stop()`, and otherwise when the
 * process exits or is killed by SIGINT, SIGTERM or SIGHUP.
 */
export async function startCluster(options: StartClusterOptions): Promise<Cluster> {
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > MAX_HOSTS) {
    throw new RangeError(`hosts must be an integer in 1..${MAX_HOSTS}, not ${options.hosts}`);
  }
  const layout = clusterLayout(newClusterId());
  const hostLayouts = Array.from({ length: options.hosts }, (_, i) => layout.host(i + 1));
  const withoutNode = new Set(options.withoutNode ?? []);
  for (const name of withoutNode) {
    if (!hostLayouts.some((host) => host.name === name)) {
      throw new Error(`withoutNode names unknown host "${name}"; hosts are host1 … host${options.hosts}`);
    }
  }
  if (process.getuid?.() !== 0) throw new Error("the test cluster needs root (network namespaces, sshd)");
  await ensurePackages();

  const subnet = pickFreeSubnet(await routedPrefixes());
  const addresses = hostLayouts.map((_, i) => subnet.hostAddress(i + 1));
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= removeCluster(layout.id));
  // Registered before anything exists, so a failure or signal halfway still cleans up.
  removeOnExit(layout.id, stop);
  try {
    await Promise.all(hostLayouts.flatMap((host) => [mkdir(host.homeDir, { recursive: true, mode: 0o700 }), mkdir(host.scratchDir, { recursive: true })]));
    const [clientPublicKey, hostPublicKeys, nodeDirectories] = await Promise.all([
      generateKeyPair(layout.clientKeyPath, `hydro-cluster-${layout.id}`),
      Promise.all(hostLayouts.map((host) => generateKeyPair(host.hostKeyPath, `${host.name}.${layout.id}`))),
      withoutNode.size > 0 ? directoriesHoldingNode(SESSION_PATH) : [],
      createNetwork({
        bridge: layout.bridge,
        bridgeAddress: subnet.bridgeAddress,
        prefixLength: subnet.prefixLength,
        hosts: hostLayouts.map((host, i) => ({ namespace: host.namespace, veth: host.veth, address: addresses[i]! })),
      }),
    ]);
    await writeFile(layout.authorizedKeysPath, `${clientPublicKey}\n`);
    await writeFile(layout.knownHostsPath, addresses.map((address, i) => `${address} ${hostPublicKeys[i]}\n`).join(""));
    const hosts = await Promise.all(
      hostLayouts.map((host, i) =>
        startHost({
          layout: host,
          address: addresses[i]!,
          port: SSH_PORT,
          hostPublicKey: hostPublicKeys[i]!,
          clientKeyPath: layout.clientKeyPath,
          authorizedKeysPath: layout.authorizedKeysPath,
          knownHostsPath: layout.knownHostsPath,
          hideNodeIn: withoutNode.has(host.name) ? nodeDirectories : [],
        }),
      ),
    );
    const description: ClusterDescription = {
      id: layout.id,
      subnet: subnet.cidr,
      deployerAddress: subnet.bridgeAddress,
      dir: layout.dir,
      privateKeyPath: layout.clientKeyPath,
      knownHostsPath: layout.knownHostsPath,
      manifestPath: layout.manifestPath,
      hosts,
    };
    // JSON leaves the hosts' functions out.
    await writeFile(layout.manifestPath, JSON.stringify(description, null, 2) + "\n");
    return {
      ...description,
      hosts,
      host(name) {
        const host = hosts.find((candidate) => candidate.name === name);
        if (!host) throw new Error(`cluster ${layout.id} has no host "${name}"`);
        return host;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function removeCluster(id: string): Promise<void> {
  const removed = removeClusters({ id });
  forgetOnExit(id);
  await waitUntilGone(removed.pids);
}
