import type { Host, LaunchContext, LaunchedHost } from "../host.js";
import { HydroError } from "../errors.js";
import { connectSsh } from "../ssh/launched.js";
import { deploymentKey, generateKeyPair } from "../cloud/keys.js";
import { ALIVE_FILE, bootScript } from "../cloud/boot-script.js";
import { LaunchedVm } from "../cloud/vm-host.js";
import type { AwsOptions } from "./options.js";
import { createSecurityGroup, findNetwork, importKeyPair, launchInstance, type AwsNetwork } from "./resources.js";
import { debianImage } from "./images.js";

/** How long a new VM may take to answer SSH with its pinned key (boot, cloud-init, the boot script). */
const BOOT_MS = 5 * 60_000;

/**
 * An EC2 VM: provisioned at launch (in parallel with the deployment's other hosts), then an SSH host
 * like any other, reached with the deployment's key and the host key the deployer made for it.
 */
export class AwsHost implements Host {
  constructor(
    readonly owner: object,
    readonly name: string,
    readonly options: AwsOptions,
  ) {}

  async launch(context: LaunchContext): Promise<LaunchedHost> {
    const { options } = this;
    const { id, state } = context.deployment;
    const region = options.region;
    // Shared by every VM of the deployment: its client key, and per region and VPC its key pair and security group.
    const clientKey = await context.shared("client key", async () => {
      const key = await deploymentKey(id);
      return { value: key, release: async () => key.remove() };
    });
    const network = await context.shared(`aws/${region}/network/${options.subnet ?? "default"}`, async () => ({
      value: await findNetwork(region, options.subnet),
      release: async () => {},
    }));
    const keyName = await context.shared(`aws/${region}/key-pair`, async () => {
      const pair = await importKeyPair(state, region, clientKey.publicKey);
      return { value: pair.keyName, release: pair.release };
    });
    const groupId = await context.shared(`aws/${region}/${network.vpcId}/security-group`, async () => {
      const group = await createSecurityGroup(state, region, network, options.sshFrom);
      return { value: group.groupId, release: group.release };
    });
    const [hostKey, ami] = await Promise.all([generateKeyPair(`${this.name}.${id}`), options.ami ?? debianImage(region, options.instanceType)]);
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
        userData: bootScript({ hostKey, authorizedKey: clientKey.publicKey, user: options.user, idleShutdownMinutes: options.idleShutdownMinutes }),
        tags: options.tags,
        publicIp: options.publicIp,
        spot: options.spot,
        ...(options.rootVolumeGb ? { rootVolumeGb: options.rootVolumeGb } : {}),
      },
      context.signal,
    );
    try {
      const ssh = await connectSsh(this, sshTarget(this.name, options, network, instance, clientKey.privateKey, hostKey.publicKey), context);
      return new LaunchedVm(ssh, instance.terminate);
    } catch (error) {
      await instance.terminate().catch(() => {});
      throw error;
    }
  }
}

function sshTarget(
  name: string,
  options: AwsOptions,
  network: AwsNetwork,
  instance: { id: string; privateIp: string; publicIp: string | undefined },
  privateKey: string,
  hostKey: string,
) {
  const address = options.publicIp ? instance.publicIp : instance.privateIp;
  if (!address) throw new HydroError(`aws host "${name}": ${instance.id} has no public address (its subnet gives none): give publicIp: false to use its private one`);
  return {
    endpoint: {
      host: address,
      port: 22,
      user: options.user,
      auth: { privateKey },
      hostKey,
      label: `aws host "${name}" (${instance.id}, ${options.user}@${address})`,
    },
    network: network.network,
    connectAttempts: 5,
    bootingUntil: Date.now() + BOOT_MS,
    // The dead-man switch looks several times per idle period; touch it more often than that.
    alive: { file: ALIVE_FILE, everyMs: Math.min(60_000, (options.idleShutdownMinutes * 60_000) / 8) },
  };
}
