import type { ResourceRecord } from "../state/state-file.js";

/**
 * What `hydro down` needs from a cloud: how to delete a recorded resource, in which order, and how
 * to find a deployment's resources by its tag alone (when the state file is gone). One module per
 * provider (deploy/aws/cleanup.ts, …), loaded only when its resources are there.
 */
export interface CloudProvider {
  /** Resource kinds in the order they can be deleted (instances before the groups they are in). */
  readonly deletionOrder: readonly string[];
  /** Deletes it and waits until it is gone; already gone counts as deleted. */
  deleteResource(record: Omit<ResourceRecord, "recordedAt">): Promise<void>;
  /** Every live resource tagged `hydro-deployment` in `scope` (a region, a project/zone), as records, with the deployment in `deployment`. */
  findTagged(scope: string): Promise<Array<Omit<ResourceRecord, "recordedAt"> & { deployment: string }>>;
}

const PROVIDERS: Record<string, () => Promise<CloudProvider>> = {
  aws: async () => (await import("../aws/cleanup.js")).aws,
  gcp: async () => (await import("../gcp/cleanup.js")).gcp,
};

export function cloudProvider(name: string): Promise<CloudProvider> {
  const load = PROVIDERS[name];
  if (!load) throw new Error(`unknown cloud provider '${name}' (known: ${Object.keys(PROVIDERS).join(", ")})`);
  return load();
}
