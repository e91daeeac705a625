import type { CloudProvider } from "../cloud/provider.js";
import { computeClients } from "./compute.js";
import { DELETION_ORDER, DEPLOYMENT_LABEL, PROVIDER, deleteGcpResource } from "./resources.js";

/** Compute Engine for `hydro down`: what deployments left in a project (`--gcp <project>`), found by label and name. */
export const gcp: CloudProvider = {
  deletionOrder: DELETION_ORDER,
  deleteResource: deleteGcpResource,
  async findTagged(project) {
    const { instances, firewalls } = await computeClients();
    const found: Awaited<ReturnType<CloudProvider["findTagged"]>> = [];
    for await (const [scope, list] of instances.aggregatedListAsync({ project, filter: `labels.${DEPLOYMENT_LABEL}:*` })) {
      const zone = scope.split("/").pop()!;
      for (const instance of list.instances ?? []) {
        const deployment = instance.labels?.[DEPLOYMENT_LABEL] ?? "?";
        found.push({ key: `gcp/${project}/instance/${instance.name}`, provider: PROVIDER, kind: "instance", scope: { project, zone, name: instance.name! }, id: instance.name!, deployment });
      }
    }
    // Firewall rules have no labels in v1: they are the deployment's by name and description.
    for await (const rule of firewalls.listAsync({ project })) {
      const deployment = /^hydro-deploy deployment (\S+)$/.exec(rule.description ?? "")?.[1];
      if (!rule.name?.startsWith("hydro-") || !deployment) continue;
      found.push({ key: `gcp/${project}/firewall/${rule.name}`, provider: PROVIDER, kind: "firewall", scope: { project }, id: rule.name, token: rule.name, deployment });
    }
    return found;
  },
};
