import type { CloudProvider } from "../cloud/provider.js";
import { ec2Client, ec2Sdk } from "./ec2.js";
import { DELETION_ORDER, DEPLOYMENT_TAG, LIVE_STATES, PROVIDER, deleteAwsResource } from "./resources.js";

/** EC2 for `hydro down`: what a deployment left in a region, found by its tag. */
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
    ]);
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
