// What moto lacks: machines. The agent watches moto's instances and makes each running one a real
// namespace SSH host of the test cluster, at the instance's private address, set up by its user
// data; it removes the host when the instance goes, and terminates the instance when its guest
// powers itself off. README §EC2 boot agent.
import {
  DescribeInstanceAttributeCommand,
  type EC2Client,
  StopInstancesCommand,
  TerminateInstancesCommand,
  paginateDescribeInstances,
} from "@aws-sdk/client-ec2";
import type { BootedHost } from "../../e2e/cluster/boot.js";
import { inClusterSubnet } from "../../e2e/cluster/booted-addresses.js";
import type { ClusterDescription } from "../../e2e/cluster/cluster.js";
import { BootedHosts } from "../boot-agent/booted-hosts.js";
import { motoEc2Client } from "./moto-ec2-client.js";
import { startPolling } from "../boot-agent/polling.js";
import { watchPoweredOff } from "../boot-agent/powered-off-watcher.js";

export interface Ec2BootAgentOptions {
  /** moto itself (`moto.url`), not the fault proxy: the agent plays EC2's insides, which see no API faults. */
  readonly motoUrl: string;
  readonly region: string;
  /** A running cluster; instances must be launched into its subnet (`createClusterSubnet`). */
  readonly cluster: ClusterDescription;
  readonly pollMs?: number;
}

export interface Ec2BootAgent {
  /** Instance id → its host, for every instance booted and not removed yet. */
  booted(): ReadonlyMap<string, BootedHost>;
  /** What failed in the background (a boot, a removal, a poll); a test asserts it stays empty. */
  readonly errors: readonly Error[];
  /** Stops polling, then removes every booted host. The instances stay as they are in moto. */
  stop(): Promise<void>;
}

interface InstanceView {
  readonly state: string;
  readonly address: string | undefined;
}

// States in which the machine exists; in every other one (stopping, shutting-down, …) its host goes.
const UP_STATES = new Set(["pending", "running"]);

export function startEc2BootAgent(options: Ec2BootAgentOptions): Ec2BootAgent {
  const { cluster } = options;
  const pollMs = options.pollMs ?? 200;
  const ec2 = motoEc2Client(options.motoUrl, options.region);
  const hosts = new BootedHosts(cluster);
  // Every instance the agent tried to boot: an instance boots once (a stopped one started again does not).
  const seen = new Set<string>();

  async function boot(instanceId: string, address: string | undefined): Promise<void> {
    if (address === undefined || !inClusterSubnet(cluster, address)) {
      throw new Error(`its private address ${address} is outside the cluster's ${cluster.subnet}: launch it into createClusterSubnet's subnet`);
    }
    await hosts.boot(instanceId, { name: instanceId, address, userData: await userData(ec2, instanceId) });
  }

  /** The guest ran its power-off command: EC2 then stops or terminates the instance, as it was told at launch. */
  async function poweredOff(instanceId: string): Promise<void> {
    const behaviour = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: "instanceInitiatedShutdownBehavior" }));
    if (behaviour.InstanceInitiatedShutdownBehavior?.Value === "terminate") {
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    } else {
      await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    }
  }

  async function poll(): Promise<void> {
    const instances = await describeInstances(ec2);
    // Removals first: a terminated instance's address is free for the next boot.
    for (const instanceId of hosts.booted().keys()) {
      const instance = instances.get(instanceId);
      if (instance === undefined || !UP_STATES.has(instance.state)) await hosts.remove(instanceId);
    }
    const fresh = [...instances].filter(([instanceId, instance]) => instance.state === "running" && !seen.has(instanceId));
    for (const [instanceId] of fresh) seen.add(instanceId);
    await Promise.all(fresh.map(([instanceId, instance]) => hosts.attempt(`instance ${instanceId}`, () => boot(instanceId, instance.address))));
  }

  const polling = startPolling(pollMs, poll, (error) => hosts.report("polling moto", error));
  const watcher = watchPoweredOff(hosts, poweredOff, pollMs);

  return {
    booted: () => hosts.booted(),
    errors: hosts.errors,
    async stop() {
      await Promise.all([polling.stop(), watcher.stop()]);
      await hosts.removeAll();
      ec2.destroy();
    },
  };
}

async function describeInstances(ec2: EC2Client): Promise<Map<string, InstanceView>> {
  const instances = new Map<string, InstanceView>();
  for await (const page of paginateDescribeInstances({ client: ec2 }, {})) {
    for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
      if (instance.InstanceId) instances.set(instance.InstanceId, { state: instance.State?.Name ?? "unknown", address: instance.PrivateIpAddress });
    }
  }
  return instances;
}

/** The instance's user data as the guest sees it: decoded (EC2 stores it base64), "" when there is none. */
async function userData(ec2: EC2Client, instanceId: string): Promise<string> {
  const attribute = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: "userData" }));
  return Buffer.from(attribute.UserData?.Value ?? "", "base64").toString("utf8");
}
