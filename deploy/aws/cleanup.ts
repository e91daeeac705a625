import type { Instance } from "@aws-sdk/client-ec2";
import type { CloudProvider, VmStatus } from "../cloud/provider.js";
import { ec2Client, ec2Sdk, explain } from "./ec2.js";
import { DELETION_ORDER, DEPLOYMENT_TAG, LIVE_STATES, PROVIDER, deleteAwsResource } from "./resources.js";

/** EC2 for `hydro down` and `hydro ls`: what a deployment left in a region, found by its tag. */
export const aws: CloudProvider = {
  deletionOrder: DELETION_ORDER,
  deleteResource: deleteAwsResource,
  async findTagged(region) {
    const [sdk, client] = await Promise.all([ec2Sdk(), ec2Client(region)]);
    const tagged = [{ Name: "tag-key", Values: [DEPLOYMENT_TAG] }];
    const deploymentOf = (tags: Array<{ Key?: string; Value?: string }> | undefined) => tags?.find((tag) => tag.Key === DEPLOYMENT_TAG)?.Value ?? "?";
    const nameOf = (tags: Array<{ Key?: string; Value?: string }> | undefined, fallback: string) => tags?.find((tag) => tag.Key === "Name")?.Value ?? fallback;
    const [instances, groups, keys] = await Promise.all([
      client.send(new sdk.DescribeInstancesCommand({ Filters: [...tagged, { Name: "instance-state-name", Values: LIVE_STATES }] })),
      client.send(new sdk.DescribeSecurityGroupsCommand({ Filters: tagged })),
      client.send(new sdk.DescribeKeyPairsCommand({ Filters: tagged })),
    ]).catch((error: unknown) => {
      throw explain(`aws: listing what carries the ${DEPLOYMENT_TAG} tag in ${region}`, error, { region });
    });
    return [
      ...(instances.Reservations ?? [])
        .flatMap((reservation) => reservation.Instances ?? [])
        .map((instance) => ({
          key: `aws/${region}/instance/${nameOf(instance.Tags, instance.InstanceId!)}`,
          provider: PROVIDER,
          kind: "instance",
          scope: { region, deployment: deploymentOf(instance.Tags) },
          id: instance.InstanceId!,
          deployment: deploymentOf(instance.Tags),
          vm: vmStatus(instance),
        })),
      ...(groups.SecurityGroups ?? []).map((group) => ({
        key: `aws/${region}/security-group/${group.GroupName}`,
        provider: PROVIDER,
        kind: "security-group",
        scope: { region, ...(group.VpcId ? { vpc: group.VpcId } : {}) },
        id: group.GroupId!,
        deployment: deploymentOf(group.Tags),
      })),
      ...(keys.KeyPairs ?? []).map((key) => ({
        key: `aws/${region}/key-pair/${key.KeyName}`,
        provider: PROVIDER,
        kind: "key-pair",
        scope: { region },
        id: key.KeyPairId!,
        token: key.KeyName!,
        deployment: deploymentOf(key.Tags),
      })),
    ];
  },
};

/** EC2 bills an instance's usage only while it is running; its EBS volumes while they exist (they go with it at termination). */
const BILLING: Record<string, VmStatus["billing"]> = {
  pending: "starting",
  running: "running",
  stopping: "stopped",
  stopped: "stopped",
  "shutting-down": "deleting",
};

function vmStatus(instance: Instance): VmStatus {
  const state = instance.State?.Name ?? "unknown";
  // LaunchTime is when it last started: its launch, or its latest start after a stop.
  const launchedAt = instance.LaunchTime?.toISOString();
  return {
    machineType: instance.InstanceType ?? "?",
    state,
    launchedAt,
    runningSince: state === "running" ? launchedAt : undefined,
    billing: BILLING[state] ?? "stopped",
  };
}
