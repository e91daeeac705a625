import type { Host, LaunchContext, LaunchedHost } from "../host.js";
import { HydroError } from "../errors.js";
import { connectSsh } from "../ssh/launched.js";
import { deploymentKey, generateKeyPair } from "./keys.js";
import { ALIVE_FILE, bootScript } from "./boot-script.js";
import { LaunchedVm } from "./vm-host.js";

/** How long a new VM may take to be running: clouds usually need well under a minute; one stuck starting has no capacity behind it. */
export const RUNNING_WITHIN_MS = 5 * 60_000;
/** How often a new VM's state is asked while it boots: from 250 ms, doubling to every 5 s. */
export const BOOT_POLL = { firstDelayMs: 250, maxDelayMs: 5_000 };

/** How long a new VM may take to answer SSH with its pinned key (boot, cloud-init, the boot script). */
const BOOT_MS = 5 * 60_000;

/** A VM a provider made: its addresses, and how to delete it (waiting until it is gone). */
export interface CreatedVm {
  /** For messages: `aws host "web" (i-0abc…)`. */
  label: string;
  privateIp: string;
  publicIp: string | undefined;
  remove(): Promise<void>;
}

export interface VmPlan {
  user: string;
  idleShutdownMinutes: number;
  /** Reach it at its public address, or at its private one. */
  publicIp: boolean;
  /** Its network identity (`aws:<region>/<vpc>`, `gcp:<project>/<network>`). */
  network: string;
  /** Makes the VM, given its boot script and the deployment's public key. */
  create(boot: { script: string; authorizedKey: string }): Promise<CreatedVm>;
}

/**
 * What every cloud host does once its provider-specific resources exist: the deployment's client
 * key (shared), a host key made here for this VM and pinned, the boot script, then an SSH host
 * (connectSsh, retrying while it boots, keeping its dead-man switch fed) that deletes the VM at
 * teardown. A VM whose SSH never comes up is deleted before the error is reported.
 */
export async function launchVm(spec: Host, context: LaunchContext, plan: VmPlan): Promise<LaunchedHost> {
  const { id } = context.deployment;
  const clientKey = await context.shared("client key", async () => {
    const key = await deploymentKey(id);
    return { value: key, release: async () => key.remove() };
  });
  const hostKey = await generateKeyPair(`${spec.name}.${id}`);
  const vm = await plan.create({
    script: bootScript({ hostKey, authorizedKey: clientKey.publicKey, user: plan.user, idleShutdownMinutes: plan.idleShutdownMinutes }),
    authorizedKey: clientKey.publicKey,
  });
  try {
    const address = plan.publicIp ? vm.publicIp : vm.privateIp;
    if (!address) throw new HydroError(`${vm.label}: no public address (its network gives none): give publicIp: false to use its private one`);
    const ssh = await connectSsh(
      spec,
      {
        endpoint: {
          host: address,
          port: 22,
          user: plan.user,
          auth: { privateKey: clientKey.privateKey },
          hostKey: hostKey.publicKey,
          label: `${vm.label} (${plan.user}@${address})`,
        },
        network: plan.network,
        connectAttempts: 5,
        bootingUntil: Date.now() + BOOT_MS,
        // The dead-man switch looks several times per idle period: touch it more often than that.
        alive: { file: ALIVE_FILE, everyMs: Math.min(60_000, (plan.idleShutdownMinutes * 60_000) / 8) },
      },
      context,
    );
    return new LaunchedVm(ssh, vm.remove);
  } catch (error) {
    await vm.remove().catch(() => {});
    throw error;
  }
}
