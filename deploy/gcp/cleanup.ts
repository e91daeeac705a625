import type { protos } from "@google-cloud/compute";
import type { CloudProvider, TaggedResource, VmStatus } from "../cloud/provider.js";
import { computeClients, explain, retried } from "./compute.js";
import { DELETION_ORDER, DEPLOYMENT_LABEL, PROVIDER, deleteGcpResource } from "./resources.js";

/** Compute Engine for `hydro down` and `hydro ls`: what deployments left in a project (`--gcp <project>`), found by label and name. */
export const gcp: CloudProvider = {
  deletionOrder: DELETION_ORDER,
  deleteResource: deleteGcpResource,
  async findTagged(project) {
    try {
      // Reads only: a throttled or failed listing is simply asked again.
      return await retried(() => findInProject(project));
    } catch (error) {
      throw explain(`gcp: listing what carries the ${DEPLOYMENT_LABEL} label in ${project}`, error, { project });
    }
  },
};

async function findInProject(project: string): Promise<TaggedResource[]> {
  const { instances, firewalls } = await computeClients();
  const found: TaggedResource[] = [];
  for await (const [scope, list] of instances.aggregatedListAsync({ project, filter: `labels.${DEPLOYMENT_LABEL}:*` })) {
    const zone = scope.split("/").pop()!;
    for (const instance of list.instances ?? []) {
      const deployment = instance.labels?.[DEPLOYMENT_LABEL] ?? "?";
      found.push({
        key: `gcp/${project}/instance/${instance.name}`,
        provider: PROVIDER,
        kind: "instance",
        scope: { project, zone, name: instance.name! },
        id: instance.name!,
        deployment,
        vm: vmStatus(instance),
      });
    }
  }
  // Firewall rules have no labels in v1: they are the deployment's by name and description.
  for await (const rule of firewalls.listAsync({ project })) {
    const deployment = /^hydro-deploy deployment (\S+)$/.exec(rule.description ?? "")?.[1];
    if (!rule.name?.startsWith("hydro-") || !deployment) continue;
    found.push({
      key: `gcp/${project}/firewall/${rule.name}`,
      provider: PROVIDER,
      kind: "firewall",
      scope: { project },
      id: rule.name,
      token: rule.name,
      deployment,
    });
  }
  return found;
}

/** GCE bills a VM while it is RUNNING; a stopped (TERMINATED) or SUSPENDED one still costs its disks (and saved memory). */
const BILLING: Record<string, VmStatus["billing"]> = {
  PROVISIONING: "starting",
  STAGING: "starting",
  RUNNING: "running",
  STOPPING: "stopped",
  SUSPENDING: "stopped",
  SUSPENDED: "stopped",
  TERMINATED: "stopped",
  REPAIRING: "stopped",
};

function vmStatus(instance: protos.google.cloud.compute.v1.IInstance): VmStatus {
  const state = String(instance.status ?? "unknown");
  return {
    machineType: instance.machineType?.split("/").pop() ?? "?",
    state,
    launchedAt: instance.creationTimestamp ?? undefined,
    runningSince: state === "RUNNING" ? (instance.lastStartTimestamp ?? instance.creationTimestamp ?? undefined) : undefined,
    billing: BILLING[state] ?? "stopped",
  };
}
