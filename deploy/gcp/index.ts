import { DeclaredHost, type LaunchContext, type LaunchedHost } from "../host.js";
import { launchVm } from "../cloud/launch-vm.js";
import type { GcpOptions } from "./options.js";
import { createFirewalls, createInstance } from "./resources.js";

/** A GCP VM's network: the project's VPC network it is created in. */
export const gcpNetwork = (options: GcpOptions) => `gcp:${options.project}/${options.network}`;

/**
 * A Compute Engine VM: created at launch in the first of its zones with room, then an SSH host like
 * any other (deploy/cloud/launch-vm.ts). The firewall rules are shared per project and network.
 */
export class GcpHost extends DeclaredHost<GcpOptions> {
  launch(context: LaunchContext): Promise<LaunchedHost> {
    const { options } = this;
    const { state } = context.deployment;
    return launchVm(this, context, {
      user: options.user,
      idleShutdownMinutes: options.idleShutdownMinutes,
      publicIp: options.publicIp,
      network: gcpNetwork(options),
      create: async ({ script, authorizedKey }) => {
        const networkTag = await context.shared(`gcp/${options.project}/${options.network}/firewalls`, async () => {
          const rules = await createFirewalls(state, options.project, options.network, options.sshFrom);
          return { value: rules.tag, release: rules.release };
        });
        const vm = await createInstance(
          state,
          {
            name: this.name,
            project: options.project,
            zones: options.zones,
            machineType: options.machineType,
            image: options.image,
            network: options.network,
            networkTag,
            user: options.user,
            publicKey: authorizedKey,
            startupScript: script,
            labels: options.labels,
            publicIp: options.publicIp,
            spot: options.spot,
          },
          context.signal,
        );
        return { label: `gcp host "${this.name}" (${vm.name} in ${vm.zone})`, privateIp: vm.networkIP, publicIp: vm.natIP, remove: vm.delete };
      },
    });
  }
}
