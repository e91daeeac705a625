// What moto lacks: machines. The agent watches moto's instances and makes each running one a real
// namespace SSH host of the test cluster, at the instance's private address, set up by its user
// data; it removes the host when the instance goes, and terminates the instance when its guest
// powers itself off. README §EC2 boot agent.
import { setTimeout as sleep } from "node:timers/promises";
import {
  DescribeInstanceAttributeCommand,
  type EC2Client,
  StopInstancesCommand,
  TerminateInstancesCommand,
  paginateDescribeInstances,
} from "@aws-sdk/client-ec2";
import { type BootedHost, bootHost } from "../cluster/boot.js";
import type { ClusterDescription } from "../cluster/cluster.js";
import { overlaps, parseCidr } from "../cluster/subnet.js";
import { motoEc2Client } from "./moto-ec2-client.js";

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
  const ec2 = motoEc2Client(options.motoUrl, options.region);
  const booted = new Map<string, BootedHost>();
  // Instances the agent is through with (removed, failed, outside the cluster): never booted again.
  const done = new Set<string>();
  const errors: Error[] = [];
  const stopping = new AbortController();

  /** Runs one instance's step; a failure is recorded and ends the agent's dealings with that instance. */
  async function step(instanceId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      errors.push(new Error(`instance ${instanceId}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      done.add(instanceId);
    }
  }

  async function boot(instanceId: string, address: string | undefined): Promise<void> {
    if (address === undefined || !overlaps(parseCidr(`${address}/32`), parseCidr(cluster.subnet))) {
      throw new Error(`its private address ${address} is outside the cluster's ${cluster.subnet}: launch it into createClusterSubnet's subnet`);
    }
    const host = await bootHost(cluster, { name: instanceId, address, userData: await userData(ec2, instanceId) });
    booted.set(instanceId, host);
  }

  async function remove(instanceId: string): Promise<void> {
    const host = booted.get(instanceId);
    booted.delete(instanceId);
    done.add(instanceId);
    await host?.remove();
  }

  /** The guest ran its power-off command: EC2 then stops or terminates the instance, as it was told at launch. */
  async function poweredOff(instanceId: string): Promise<void> {
    try {
      const behaviour = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: "instanceInitiatedShutdownBehavior" }));
      if (behaviour.InstanceInitiatedShutdownBehavior?.Value === "terminate") {
        await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
      } else {
        await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
      }
    } finally {
      // Powered off is powered off, whatever moto said.
      await remove(instanceId);
    }
  }

  async function poll(): Promise<void> {
    const instances = await describeInstances(ec2);
    // Removals first: a terminated instance's address is free for the next boot.
    for (const [instanceId, host] of booted) {
      const instance = instances.get(instanceId);
      if (instance === undefined || !UP_STATES.has(instance.state)) await step(instanceId, () => remove(instanceId));
      else if (host.poweredOff()) await step(instanceId, () => poweredOff(instanceId));
    }
    const fresh = [...instances].filter(([instanceId, instance]) => instance.state === "running" && !booted.has(instanceId) && !done.has(instanceId));
    await Promise.all(fresh.map(([instanceId, instance]) => step(instanceId, () => boot(instanceId, instance.address))));
  }

  const polling = (async () => {
    while (!stopping.signal.aborted) {
      await poll().catch((error: unknown) =>
        errors.push(new Error(`polling moto: ${error instanceof Error ? error.message : String(error)}`, { cause: error })),
      );
      await sleep(options.pollMs ?? 200, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();

  return {
    booted: () => new Map(booted),
    errors,
    async stop() {
      stopping.abort();
      await polling;
      await Promise.all([...booted.keys()].map((instanceId) => step(instanceId, () => remove(instanceId))));
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
