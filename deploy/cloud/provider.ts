import type { ResourceRecord } from "../state/state-file.js";

/**
 * What the cloud says of a VM, as `hydro ls` shows it. No prices: they differ by region and
 * change; what is billed follows from the state alone.
 */
export interface VmStatus {
  /** `t3.micro`, `e2-small`. */
  machineType: string;
  /** The provider's own word: `running`, `stopped`, `TERMINATED`, … */
  state: string;
  /** When it was launched (AWS: last started; GCE: created), ISO 8601, if the provider says. */
  launchedAt: string | undefined;
  /** Since when it has been running (ISO 8601), when it runs. */
  runningSince: string | undefined;
  /**
   * What the provider bills for it in this state: the VM while `running`; only its disk while
   * `stopped` (a stopped EC2 VM, a TERMINATED or SUSPENDED GCE VM); nothing yet while `starting`,
   * nothing any more while `deleting`.
   */
  billing: "running" | "stopped" | "starting" | "deleting";
}

/** A live resource found by its tag or label, as a record, with the deployment that made it; instances also say what they are and cost. */
export type TaggedResource = Omit<ResourceRecord, "recordedAt"> & { deployment: string; vm?: VmStatus };

/**
 * What `hydro down` and `hydro ls` need from a cloud: how to delete a recorded resource, in which
 * order, and how to find a deployment's resources by its tag alone (when the state file is gone).
 * One module per provider (deploy/aws/cleanup.ts, …), loaded only when its resources are there.
 */
export interface CloudProvider {
  /** Resource kinds in the order they can be deleted (instances before the groups they are in). */
  readonly deletionOrder: readonly string[];
  /** Deletes it and waits until it is gone; already gone counts as deleted. */
  deleteResource(record: Omit<ResourceRecord, "recordedAt">): Promise<void>;
  /** Every live resource tagged `hydro-deployment` in `scope` (a region, a project), in one lookup per kind. */
  findTagged(scope: string): Promise<TaggedResource[]>;
}
