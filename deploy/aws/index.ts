import { DeclaredHost, type LaunchContext, type LaunchedHost } from "../host.js";
import { launchVm } from "../cloud/launch-vm.js";
import type { AwsOptions } from "./options.js";
import { createSecurityGroup, findNetwork, importKeyPair, launchInstance } from "./resources.js";
import { debianImage } from "./images.js";

/**
 * An EC2 VM: provisioned at launch (in parallel with the deployment's other hosts), then an SSH host
 * like any other (deploy/cloud/launch-vm.ts). The key pair and security group are shared per region and VPC.
 */
export class AwsHost extends DeclaredHost<AwsOptions> {
  async launch(context: LaunchContext): Promise<LaunchedHost> {
    const { options } = this;
    const { state } = context.deployment;
    const region = options.region;
    const network = await context.shared(`aws/${region}/network/${options.subnet ?? "default"}`, async () => ({
      value: await findNetwork(region, options.subnet),
      release: async () => {},
    }));
    const ami = options.ami ?? (await debianImage(region, options.instanceType));
    return launchVm(this, context, {
      user: options.user,
      idleShutdownMinutes: options.idleShutdownMinutes,
      publicIp: options.publicIp,
      network: network.network,
      create: async ({ script, authorizedKey }) => {
        const keyName = await context.shared(`aws/${region}/key-pair`, async () => {
          const pair = await importKeyPair(state, region, authorizedKey);
          return { value: pair.keyName, release: pair.release };
        });
        const groupId = await context.shared(`aws/${region}/${network.vpcId}/security-group`, async () => {
          const group = await createSecurityGroup(state, region, network, options.sshFrom);
          return { value: group.groupId, release: group.release };
        });
        const instance = await launchInstance(
          state,
          {
            name: this.name,
            region,
            network,
            keyName,
            groupId,
            ami,
            instanceType: options.instanceType,
            userData: script,
            tags: options.tags,
            publicIp: options.publicIp,
            spot: options.spot,
            ...(options.rootVolumeGb ? { rootVolumeGb: options.rootVolumeGb } : {}),
          },
          context.signal,
        );
        return { label: `aws host "${this.name}" (${instance.id})`, privateIp: instance.privateIp, publicIp: instance.publicIp, remove: instance.terminate };
      },
    });
  }
}
