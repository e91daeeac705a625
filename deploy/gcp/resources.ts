/**
 * The Compute Engine resources of a deployment, each recorded in the state file before the call
 * that creates it, and deleted by one function, `deleteGcpResource`, at teardown and by `hydro down`.
 * Calls that change something carry a requestId, so a retry never makes two of anything.
 */
import crypto from "node:crypto";
import type { DeploymentState } from "../state/state-file.js";
import { createRecorded, type ResourceIntent } from "../state/recorded.js";
import { HydroError } from "../errors.js";
import { pollUntil } from "../backoff.js";
import { throwIfTornDown, type TornDownSignal } from "../torn-down.js";
import { BOOT_POLL, RUNNING_WITHIN_MS } from "../cloud/launch-vm.js";
import { computeClients, explain, isNotFound, OperationError, reasonOf, retried } from "./compute.js";

/** The label every instance carries, exactly this key (firewalls have no labels: they are found by name). */
export const DEPLOYMENT_LABEL = "hydro-deployment";
export const PROVIDER = "gcp";

type Operation = {
  name?: string | null;
  status?: string | number | null;
  zone?: string | null;
  error?: { errors?: Array<{ code?: string | null; message?: string | null }> | null } | null;
};

/** Waits until the operation is DONE (the client's `wait` returns early now and then) and throws its error, if it has one. */
export async function completed(project: string, operation: Operation): Promise<void> {
  const { zoneOperations, globalOperations } = await computeClients();
  let current = operation;
  for (let attempt = 0; current.status !== "DONE"; attempt++) {
    if (attempt > 600) throw new HydroError(`gcp: operation ${current.name} not done after ${attempt} waits`);
    const zone = current.zone?.split("/").pop();
    const name = current.name!;
    [current] = await retried(() => (zone ? zoneOperations.wait({ project, zone, operation: name }) : globalOperations.wait({ project, operation: name })));
  }
  const failure = current.error?.errors?.[0];
  if (failure) throw new OperationError(failure.code ?? "UNKNOWN", failure.message ?? "the operation failed");
}

/** GCE names: lowercase letters, digits and '-', starting with a letter, at most 63. */
export function gceName(...parts: string[]): string {
  const name = parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return name || "hydro";
}

/**
 * Two firewall rules on `network` for the deployment's VMs (by their network tag): SSH in from
 * `sshFrom`, and everything from each other. Nothing else is open.
 */
export async function createFirewalls(
  state: DeploymentState,
  project: string,
  network: string,
  sshFrom: string,
): Promise<{ tag: string; release(): Promise<void> }> {
  const tag = gceName("hydro", state.deployment);
  const rules = [
    { name: gceName(tag, network, "ssh"), allowed: [{ IPProtocol: "tcp", ports: ["22"] }], sourceRanges: [sshFrom] },
    { name: gceName(tag, network, "internal"), allowed: [{ IPProtocol: "all" }], sourceTags: [tag] },
  ];
  const releases: Array<() => Promise<void>> = [];
  const release = async () => {
    for (const undo of releases.splice(0).reverse()) await undo();
  };
  try {
    const { firewalls } = await computeClients();
    for (const rule of rules) {
      const requestId = crypto.randomUUID();
      const made = await createRecorded(state, recordOf("firewall", rule.name, { project }), deleteGcpResource, async (created) => {
        const [operation] = await retried(() =>
          firewalls.insert({
            project,
            requestId,
            firewallResource: {
              ...rule,
              network: `global/networks/${network}`,
              direction: "INGRESS",
              targetTags: [tag],
              description: `hydro-deploy deployment ${state.deployment}`,
            },
          }),
        );
        await completed(project, operation.latestResponse as Operation);
        created(rule.name);
      });
      releases.push(made.release);
    }
  } catch (error) {
    await release().catch(() => {});
    throw explain(`gcp: creating the deployment's firewall rules in ${project}`, error, { project });
  }
  return { tag, release };
}

export interface InstanceSpec {
  /** The host's name in the config (its record's key); the VM is named `hydro-<deployment>-<name>`. */
  name: string;
  project: string;
  /** Tried in order while a zone has no capacity. */
  zones: readonly string[];
  machineType: string;
  image: string;
  network: string;
  networkTag: string;
  user: string;
  publicKey: string;
  startupScript: string;
  labels: Record<string, string>;
  publicIp: boolean;
  spot: boolean;
}

export interface GcpInstance {
  name: string;
  zone: string;
  networkIP: string;
  natIP: string | undefined;
  delete(): Promise<void>;
}

const CAPACITY = new Set(["ZONE_RESOURCE_POOL_EXHAUSTED", "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS"]);

/**
 * Creates the VM (requestId recorded first) in the first zone that has room, and waits until it
 * runs; the deployment's teardown (`signal`) ends the wait with a TornDownError, and the VM is deleted.
 */
export async function createInstance(
  state: DeploymentState,
  spec: InstanceSpec,
  signal: AbortSignal,
  runningWithinMs = RUNNING_WITHIN_MS,
): Promise<GcpInstance> {
  const what = `gcp host "${spec.name}" (${spec.machineType} in ${spec.zones.join(", ")})`;
  const tornDown: TornDownSignal = { signal, what: `launching ${what}` };
  const { instances } = await computeClients().catch((error: unknown) => {
    throw explain(what, error, { project: spec.project });
  });
  const vmName = gceName("hydro", state.deployment, spec.name);
  let lastError: unknown;
  for (const zone of spec.zones) {
    throwIfTornDown(tornDown);
    const requestId = crypto.randomUUID();
    // GCE names are ids: the name is known (and recorded) before the insert, beside the requestId it carries.
    const intent = {
      ...recordOf("instance", vmName, { project: spec.project, zone, name: vmName }),
      key: `gcp/${spec.project}/instance/${spec.name}`,
      token: requestId,
    };
    try {
      const { value: running, release } = await createRecorded(state, intent, deleteGcpResource, async (created) => {
        const [operation] = await retried(() =>
          instances.insert({
            project: spec.project,
            zone,
            requestId,
            instanceResource: {
              name: vmName,
              machineType: `zones/${zone}/machineTypes/${spec.machineType}`,
              labels: { ...spec.labels, [DEPLOYMENT_LABEL]: gceName(state.deployment) },
              tags: { items: [spec.networkTag] },
              disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: spec.image } }],
              networkInterfaces: [
                { network: `global/networks/${spec.network}`, ...(spec.publicIp ? { accessConfigs: [{ name: "External NAT", type: "ONE_TO_ONE_NAT" }] } : {}) },
              ],
              metadata: {
                items: [
                  { key: "ssh-keys", value: `${spec.user}:${spec.publicKey}` },
                  { key: "startup-script", value: spec.startupScript },
                ],
              },
              ...(spec.spot ? { scheduling: { provisioningModel: "SPOT", instanceTerminationAction: "DELETE" } } : {}),
            },
          }),
        );
        await completed(spec.project, operation.latestResponse as Operation);
        created(vmName);
        return untilRunning(what, spec.project, zone, vmName, Date.now() + runningWithinMs, tornDown);
      });
      return { name: vmName, zone, ...running, delete: release };
    } catch (error) {
      lastError = error;
      const code = error instanceof OperationError ? error.code : reasonOf(error).reason;
      if (!CAPACITY.has(code ?? "")) break;
    }
  }
  throw explain(what, lastError, { project: spec.project, zone: spec.zones.at(-1)! });
}

/** Polls until the VM runs with an address; gives up at `deadline` (the caller deletes it). */
async function untilRunning(
  what: string,
  project: string,
  zone: string,
  name: string,
  deadline: number,
  tornDown: TornDownSignal,
): Promise<{ networkIP: string; natIP: string | undefined }> {
  const { instances } = await computeClients();
  let last: string | null | undefined;
  return pollUntil(
    async () => {
      const [instance] = await retried(() => instances.get({ project, zone, instance: name }));
      const networkInterface = instance.networkInterfaces?.[0];
      if (instance.status === "RUNNING" && networkInterface?.networkIP) {
        return { networkIP: networkInterface.networkIP, natIP: networkInterface.accessConfigs?.[0]?.natIP ?? undefined };
      }
      if (instance.status === "TERMINATED" || instance.status === "STOPPING" || instance.status === "SUSPENDED") {
        throw new HydroError(`${what}: instance ${name} went ${instance.status} instead of RUNNING`);
      }
      last = instance.status;
      return undefined;
    },
    {
      ...BOOT_POLL,
      deadline,
      tornDown,
      expired: (waitedMs) =>
        new HydroError(
          `${what}: instance ${name} was not RUNNING after ${Math.round(waitedMs / 1000)} s (last status: ${last ?? "none"}; the zone may have no capacity for it): deleted it; try another zone or machineType, or later`,
        ),
    },
  );
}

const recordOf = (kind: string, name: string, scope: Record<string, string>): ResourceIntent => ({
  key: `gcp/${scope.project}/${kind}/${name}`,
  provider: PROVIDER,
  kind,
  scope,
  token: name,
});

/** Instances before the firewall rules that let them in. */
export const DELETION_ORDER = ["instance", "firewall"];

/** Deletes one recorded resource and waits until it is gone; 404 (gone already, or never made) counts as deleted. */
export async function deleteGcpResource(record: ResourceIntent): Promise<void> {
  const project = record.scope.project!;
  const name = record.id ?? record.scope.name ?? record.token!;
  try {
    const { instances, firewalls } = await computeClients();
    if (record.kind === "instance") {
      const requestId = crypto.randomUUID();
      const [operation] = await retried(() => instances.delete({ project, zone: record.scope.zone!, instance: name, requestId }));
      await completed(project, operation.latestResponse as Operation);
    } else if (record.kind === "firewall") {
      const requestId = crypto.randomUUID();
      const [operation] = await retried(() => firewalls.delete({ project, firewall: name, requestId }));
      await completed(project, operation.latestResponse as Operation);
    } else throw new HydroError(`gcp: do not know how to delete a ${record.kind} (${record.key})`);
  } catch (error) {
    if (!isNotFound(error)) throw explain(`gcp: deleting ${record.kind} ${name}`, error, { project });
  }
}
