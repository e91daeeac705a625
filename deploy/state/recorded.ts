import type { DeploymentState, ResourceRecord } from "./state-file.js";

/** A cloud resource as the state file has it before it exists: no id yet, no time of recording. */
export type ResourceIntent = Omit<ResourceRecord, "recordedAt">;

/** A resource made by `createRecorded`: what its creation returned, and how to delete it (and forget it once gone). */
export interface RecordedResource<T> {
  value: T;
  release(): Promise<void>;
}

/**
 * Makes one cloud resource as docs/ARCHITECTURE.md §6 says: recorded before the call that creates
 * it, its id recorded as soon as `create` learns it (`created(id)`), dropped once `remove` has
 * deleted it. If `create` fails, what it may have made is deleted at once: a call can fail after
 * the provider acted (a lost response), so `remove` is given the record as it then stands (by id
 * if known, else by the name or token it carries). A resource `remove` cannot delete stays
 * recorded, for `hydro down`; `create`'s error is what is thrown.
 */
export async function createRecorded<T>(
  state: DeploymentState,
  intent: ResourceIntent,
  remove: (record: ResourceIntent) => Promise<void>,
  create: (created: (id: string) => void) => Promise<T>,
): Promise<RecordedResource<T>> {
  const recorded = state.intend(intent);
  let id: string | undefined;
  const release = () => remove({ ...intent, id }).then(() => recorded.deleted());
  try {
    const value = await create((createdId) => {
      id = createdId;
      recorded.created(createdId);
    });
    return { value, release };
  } catch (error) {
    await release().catch(() => {});
    throw error;
  }
}
