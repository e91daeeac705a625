/**
 * The EC2 resources of a deployment, each recorded in the state file before the call that creates
 * it (deploy/state/state-file.ts) and deleted by one function, `deleteAwsResource`, whether the
 * deployment tears itself down or `hydro down` cleans up after a crash.
 */
import crypto from "node:crypto";
import type { EC2Client, Tag } from "@aws-sdk/client-ec2";
import type { DeploymentState } from "../state/state-file.js";
import { createRecorded, type ResourceIntent } from "../state/recorded.js";
import { HydroError } from "../errors.js";
import { pollUntil, retry } from "../backoff.js";
import { tornDownError, type TornDownSignal } from "../torn-down.js";
import { BOOT_POLL, RUNNING_WITHIN_MS } from "../cloud/launch-vm.js";
import { ec2Client, ec2Sdk, errorCode, explain, GONE } from "./ec2.js";

/** The tag every resource carries, exactly this key: how `hydro down --all` finds them without a state file. */
export const DEPLOYMENT_TAG = "hydro-deployment";

export const PROVIDER = "aws";

const tags = (deployment: string, name: string): Tag[] => [
  { Key: DEPLOYMENT_TAG, Value: deployment },
  { Key: "Name", Value: name },
];

const tagSpecification = (type: "instance" | "volume" | "security-group" | "key-pair", deployment: string, name: string, extra: Tag[] = []) => ({
  ResourceType: type,
  Tags: [...tags(deployment, name), ...extra],
});

/** Where a deployment's VMs go in one region: a subnet of a VPC, and the network identity routing uses. */
export interface AwsNetwork {
  vpcId: string;
  subnetId: string;
  /** `aws:<region>/<vpc>`: VMs in one VPC reach each other on their private addresses. */
  network: string;
}

/** The subnet given, or the first default subnet of the region's default VPC. */
export async function findNetwork(region: string, subnet: string | undefined): Promise<AwsNetwork> {
  try {
    return await lookUpNetwork(region, subnet);
  } catch (error) {
    throw error instanceof HydroError ? error : explain(`aws: finding the network in ${region}`, error, { region });
  }
}

async function lookUpNetwork(region: string, subnet: string | undefined): Promise<AwsNetwork> {
  const [{ DescribeSubnetsCommand, DescribeVpcsCommand }, client] = await Promise.all([ec2Sdk(), ec2Client(region)]);
  if (subnet) {
    const { Subnets = [] } = await client.send(new DescribeSubnetsCommand({ SubnetIds: [subnet] }));
    const found = Subnets[0];
    if (!found?.VpcId) throw new HydroError(`aws: subnet ${subnet} not found in ${region}`);
    return { vpcId: found.VpcId, subnetId: subnet, network: `aws:${region}/${found.VpcId}` };
  }
  const { Vpcs = [] } = await client.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }));
  const vpcId = Vpcs[0]?.VpcId;
  if (!vpcId) throw new HydroError(`aws: ${region} has no default VPC: give aws({ subnet }) a subnet to launch in`);
  const { Subnets = [] } = await client.send(
    new DescribeSubnetsCommand({
      Filters: [
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "default-for-az", Values: ["true"] },
      ],
    }),
  );
  const first = Subnets.filter((candidate) => candidate.SubnetId).sort((a, b) => (a.AvailabilityZone ?? "").localeCompare(b.AvailabilityZone ?? ""))[0];
  if (!first) throw new HydroError(`aws: the default VPC ${vpcId} in ${region} has no default subnet: give aws({ subnet })`);
  return { vpcId, subnetId: first.SubnetId!, network: `aws:${region}/${vpcId}` };
}

/** Imports the deployment's public key as `hydro-<deployment>`. */
export async function importKeyPair(state: DeploymentState, region: string, publicKey: string): Promise<{ keyName: string; release(): Promise<void> }> {
  const [{ ImportKeyPairCommand }, client] = await Promise.all([ec2Sdk(), ec2Client(region)]);
  const keyName = `hydro-${state.deployment}`;
  const { release } = await createRecorded(state, recordOf("key-pair", region, keyName, { region }), deleteAwsResource, async (created) => {
    const { KeyPairId } = await client
      .send(
        new ImportKeyPairCommand({
          KeyName: keyName,
          PublicKeyMaterial: Buffer.from(publicKey),
          TagSpecifications: [tagSpecification("key-pair", state.deployment, keyName)],
        }),
      )
      .catch((error: unknown) => {
        throw explain(`aws: importing the deployment's key pair in ${region}`, error, { region });
      });
    if (KeyPairId) created(KeyPairId);
  });
  return { keyName, release };
}

/** A security group for the deployment's VMs in one VPC: SSH from `sshFrom`, everything from each other, nothing else. */
export async function createSecurityGroup(
  state: DeploymentState,
  region: string,
  network: AwsNetwork,
  sshFrom: string,
): Promise<{ groupId: string; release(): Promise<void> }> {
  const [{ AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand }, client] = await Promise.all([ec2Sdk(), ec2Client(region)]);
  const name = `hydro-${state.deployment}-${network.vpcId}`;
  const { value: groupId, release } = await createRecorded(
    state,
    recordOf("security-group", region, name, { region, vpc: network.vpcId }),
    deleteAwsResource,
    async (created) => {
      const { GroupId } = await client
        .send(
          new CreateSecurityGroupCommand({
            GroupName: name,
            Description: `hydro-deploy deployment ${state.deployment}: SSH in, and its own VMs to each other`,
            VpcId: network.vpcId,
            TagSpecifications: [tagSpecification("security-group", state.deployment, name)],
          }),
        )
        .catch((error: unknown) => {
          throw explain(`aws: creating the deployment's security group in ${region}`, error, { region });
        });
      created(GroupId!);
      await client
        .send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId,
            IpPermissions: [
              { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: sshFrom, Description: "SSH from the deployer" }] },
              { IpProtocol: "-1", UserIdGroupPairs: [{ GroupId, Description: "the deployment's VMs to each other" }] },
            ],
          }),
        )
        .catch((error: unknown) => {
          throw explain(`aws: opening SSH in the deployment's security group in ${region}`, error, { region });
        });
      return GroupId!;
    },
  );
  return { groupId, release };
}

export interface InstanceSpec {
  /** The host's name in the config: the state file's key and the Name tag. */
  name: string;
  region: string;
  network: AwsNetwork;
  keyName: string;
  groupId: string;
  ami: string;
  instanceType: string;
  /** The boot script (plain text; base64-encoded here, as EC2 wants and the SDK does not do). */
  userData: string;
  tags: Record<string, string>;
  publicIp: boolean;
  spot: boolean;
  rootVolumeGb?: number;
}

export interface AwsInstance {
  id: string;
  privateIp: string;
  publicIp: string | undefined;
  /** Terminates it and waits until EC2 says terminated. */
  terminate(): Promise<void>;
}

/**
 * Launches one VM (ClientToken recorded first, so a retry or a crash never leaves one unaccounted
 * for) and waits until it runs, at most `runningWithinMs`. One that is not running by then, or
 * goes elsewhere (pending → terminated when EC2 has no capacity), is terminated before the error;
 * so is one whose launch the deployment's teardown (`signal`) gives up.
 */
export async function launchInstance(
  state: DeploymentState,
  spec: InstanceSpec,
  signal: AbortSignal,
  runningWithinMs = RUNNING_WITHIN_MS,
): Promise<AwsInstance> {
  const [{ RunInstancesCommand }, client] = await Promise.all([ec2Sdk(), ec2Client(spec.region)]);
  const token = crypto.randomUUID();
  const intent: ResourceIntent = {
    key: `aws/${spec.region}/instance/${spec.name}`,
    provider: PROVIDER,
    kind: "instance",
    scope: { region: spec.region, deployment: state.deployment },
    token,
  };
  const extraTags = Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value }));
  const tornDown: TornDownSignal = { signal, what: `launching aws host "${spec.name}"` };
  try {
    // Whatever was launched goes if this fails; the record stays until it is gone, for `hydro down`.
    const { value, release } = await createRecorded(state, intent, deleteAwsResource, async (created) => {
      const { Instances = [] } = await client.send(
        new RunInstancesCommand({
          ClientToken: token,
          MinCount: 1,
          MaxCount: 1,
          ImageId: spec.ami,
          InstanceType: spec.instanceType as never,
          KeyName: spec.keyName,
          UserData: Buffer.from(spec.userData).toString("base64"),
          // The dead-man switch powers the VM off; off means gone, so a forgotten VM stops costing.
          InstanceInitiatedShutdownBehavior: "terminate",
          MetadataOptions: { HttpTokens: "required" },
          NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: spec.network.subnetId, Groups: [spec.groupId], AssociatePublicIpAddress: spec.publicIp }],
          TagSpecifications: [
            tagSpecification("instance", state.deployment, spec.name, extraTags),
            tagSpecification("volume", state.deployment, spec.name, extraTags),
          ],
          ...(spec.spot ? { InstanceMarketOptions: { MarketType: "spot" as const } } : {}),
          ...(spec.rootVolumeGb
            ? { BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: spec.rootVolumeGb, DeleteOnTermination: true } }] }
            : {}),
        }),
        { abortSignal: signal },
      );
      const id = Instances[0]?.InstanceId;
      if (!id) throw new HydroError(`aws: RunInstances returned no instance for ${spec.name}`);
      created(id);
      return { id, ...(await untilRunning(client, id, tornDown, Date.now() + runningWithinMs)) };
    });
    return { ...value, terminate: release };
  } catch (error) {
    throw signal.aborted ? tornDownError(tornDown) : explain(`aws host "${spec.name}" (${spec.instanceType} in ${spec.region})`, error, spec);
  }
}

async function untilRunning(
  client: EC2Client,
  id: string,
  tornDown: TornDownSignal,
  deadline: number,
): Promise<{ privateIp: string; publicIp: string | undefined }> {
  const { DescribeInstancesCommand } = await ec2Sdk();
  let last = "not described yet";
  return pollUntil(
    async () => {
      const described = await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }), { abortSignal: tornDown.signal }).catch((error: unknown) => {
        // Eventual consistency: a new instance is not describable for a few seconds.
        if (errorCode(error) === "InvalidInstanceID.NotFound") return undefined;
        throw error;
      });
      const instance = described?.Reservations?.[0]?.Instances?.[0];
      const state = instance?.State?.Name;
      if (state === "running" && instance?.PrivateIpAddress) return { privateIp: instance.PrivateIpAddress, publicIp: instance.PublicIpAddress };
      if (state === "shutting-down" || state === "terminated" || state === "stopping" || state === "stopped") {
        const reason = instance?.StateReason?.Message ?? instance?.StateReason?.Code ?? "no reason given";
        throw new HydroError(`instance ${id} went ${state} instead of running: ${reason}`);
      }
      if (state) last = state === "running" ? "running without a private address" : state;
      return undefined;
    },
    {
      ...BOOT_POLL,
      deadline,
      tornDown,
      expired: (waitedMs) =>
        new HydroError(
          `instance ${id} was not running after ${Math.round(waitedMs / 1000)} s (last seen: ${last}; EC2 may have no capacity for it): terminated it; try another instanceType or subnet, or later`,
        ),
    },
  );
}

const recordOf = (kind: string, region: string, name: string, scope: Record<string, string>): ResourceIntent => ({
  key: `aws/${region}/${kind}/${name}`,
  provider: PROVIDER,
  kind,
  scope,
  token: name,
});

/** In dependency order: a security group can go only once its instances have, a key pair any time. */
export const DELETION_ORDER = ["instance", "security-group", "key-pair"];

/** How long a security group may refuse deletion (DependencyViolation: its instances' interfaces are still being released). */
const DEPENDENCY_WAIT_MS = 10 * 60_000;

/**
 * Deletes one recorded resource and waits until it is gone; a resource that is already gone (or
 * was never created: an intent whose call never reached EC2) counts as deleted. Idempotent.
 */
export async function deleteAwsResource(record: ResourceIntent): Promise<void> {
  const region = record.scope.region!;
  const [sdk, client] = await Promise.all([ec2Sdk(), ec2Client(region)]);
  const tolerateGone = (error: unknown) => {
    if (!GONE.has(errorCode(error) ?? "")) throw error;
  };
  switch (record.kind) {
    case "instance": {
      const ids = record.id ? [record.id] : await instancesWithToken(client, sdk, record.token!, record.scope.deployment!);
      if (ids.length === 0) return;
      await client.send(new sdk.TerminateInstancesCommand({ InstanceIds: ids })).catch(tolerateGone);
      await untilTerminated(client, sdk, ids);
      return;
    }
    case "security-group": {
      const groupId = record.id ?? (await groupNamed(client, sdk, record.token!, record.scope.vpc));
      if (!groupId) return;
      await retry(() => client.send(new sdk.DeleteSecurityGroupCommand({ GroupId: groupId })).catch(tolerateGone), {
        firstDelayMs: 1_000,
        maxDelayMs: 15_000,
        deadline: Date.now() + DEPENDENCY_WAIT_MS,
        shouldRetry: (error) => errorCode(error) === "DependencyViolation",
      });
      return;
    }
    case "key-pair":
      // By name: it is what the record always has, and what every EC2 implementation deletes by.
      await client.send(new sdk.DeleteKeyPairCommand(record.token ? { KeyName: record.token } : { KeyPairId: record.id! })).catch(tolerateGone);
      return;
    default:
      throw new HydroError(`aws: do not know how to delete a ${record.kind} (${record.key})`);
  }
}

/**
 * The instances a RunInstances with `token` made: those tagged with the deployment (tags are applied
 * with the launch itself), matched on their ClientToken here rather than with EC2's `client-token`
 * filter, which not every EC2 implementation has (moto does not).
 */
async function instancesWithToken(client: EC2Client, sdk: Awaited<ReturnType<typeof ec2Sdk>>, token: string, deployment: string): Promise<string[]> {
  const { Reservations = [] } = await client.send(
    new sdk.DescribeInstancesCommand({
      Filters: [
        { Name: `tag:${DEPLOYMENT_TAG}`, Values: [deployment] },
        { Name: "instance-state-name", Values: LIVE_STATES },
      ],
    }),
  );
  return Reservations.flatMap((reservation) => reservation.Instances ?? []).flatMap((instance) =>
    instance.InstanceId && instance.ClientToken === token ? [instance.InstanceId] : [],
  );
}

async function groupNamed(client: EC2Client, sdk: Awaited<ReturnType<typeof ec2Sdk>>, name: string, vpc: string | undefined): Promise<string | undefined> {
  const { SecurityGroups = [] } = await client.send(
    new sdk.DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [name] }, ...(vpc ? [{ Name: "vpc-id", Values: [vpc] }] : [])] }),
  );
  return SecurityGroups[0]?.GroupId;
}

/** Every state but terminated: what still exists (or may still cost). */
export const LIVE_STATES = ["pending", "running", "shutting-down", "stopping", "stopped"];

async function untilTerminated(client: EC2Client, sdk: Awaited<ReturnType<typeof ec2Sdk>>, ids: string[]): Promise<void> {
  let states: Array<string | undefined> = [];
  await pollUntil(
    async () => {
      const described = await client.send(new sdk.DescribeInstancesCommand({ InstanceIds: ids })).catch((error: unknown) => {
        if (GONE.has(errorCode(error) ?? "")) return undefined;
        throw error;
      });
      states = (described?.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []).map((instance) => instance.State?.Name);
      return states.every((state) => state === "terminated") || undefined;
    },
    {
      firstDelayMs: 250,
      maxDelayMs: 5_000,
      deadline: Date.now() + DEPENDENCY_WAIT_MS,
      expired: () => new HydroError(`aws: ${ids.join(", ")} not terminated after ${DEPENDENCY_WAIT_MS / 60_000} min (${states.join(", ")})`),
    },
  );
}
