// instances: validated like the real API, then PROVISIONING → STAGING → RUNNING (the insert
// operation is DONE at RUNNING), STOPPING → gone on delete (README §GCE instances).
import { findImage, MACHINE_TYPES } from "./catalog.js";
import { addressInRange, parseCidr } from "./cidr.js";
import { type CollectionSpec, OperationRejected, type Placement } from "./collection.js";
import { invalidField, notFound, quotaExceeded } from "./errors.js";
import { fingerprint, timestamp } from "./ids.js";
import { identity } from "./identity.js";
import { lastSegment, regionOfZone, resolveReference } from "./links.js";
import type { GceState } from "./state.js";
import type { Json } from "./store.js";
import { checkLabels, checkMetadataItems, type MetadataItem } from "./validation.js";

/** What the boot hooks get: the instance as stored (live), and the metadata its guest would read. */
export interface BootedInstance {
  readonly project: string;
  readonly zone: string;
  readonly name: string;
  readonly networkIP: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Instance metadata over project metadata; project `ssh-keys` dropped under `block-project-ssh-keys`. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly resource: Json;
}

export interface AddressRequest {
  readonly project: string;
  readonly zone: string;
  readonly instance: string;
  /** Resource path of the subnetwork, and its range ("10.128.0.0/20"). */
  readonly subnetwork: string;
  readonly ipCidrRange: string;
}

export interface InstanceBehaviour {
  /** Each of PROVISIONING and STAGING lasts this long. */
  readonly bootStepMs: number;
  /** Per region, as the project's CPUS quota. */
  readonly cpuQuota: number;
  /** The private address of a new instance's nic0. */
  readonly allocateNetworkIP: (request: AddressRequest) => string | Promise<string>;
  readonly onInstanceRunning: ((instance: BootedInstance) => void | Promise<void>) | undefined;
  /** Called only for instances that reached RUNNING, after their onInstanceRunning settled. */
  readonly onInstanceDeleted: ((instance: BootedInstance) => void | Promise<void>) | undefined;
}

export interface Instances {
  readonly spec: CollectionSpec;
  /**
   * The guest shut itself down (the dead-man switch): STOPPING, then TERMINATED, which in GCE is a
   * stopped instance that still exists, without its ephemeral public address. Its boot is over,
   * so a later delete does not call onInstanceDeleted again.
   */
  guestPoweredOff(path: string): Promise<void>;
}

export function instancesSpec(state: GceState, behaviour: InstanceBehaviour): Instances {
  const lifecycle = new Map<Json, { deleting: boolean; booted?: BootedInstance; hooks: Promise<void> }>();
  let publicAddresses = 0;

  const runHook = (resource: Json, hook: () => void | Promise<void>) => {
    const entry = lifecycle.get(resource)!;
    entry.hooks = entry.hooks.then(hook).catch((error: unknown) => void state.backgroundErrors.push(error));
    return entry.hooks;
  };

  const spec: CollectionSpec = {
    collection: "instances",
    kind: "compute#instance",
    scope: "zones",
    async build(body, placement) {
      const zone = placement.zone!;
      const labels = checkLabels(body.labels);
      const machineType = checkMachineType(body.machineType, placement);
      const disks = checkBootDisk(body.disks, placement, state);
      const metadataItems = checkMetadataItems((body.metadata as Json | undefined)?.items);
      const usedCpus = state.store
        .everywhere("instances")
        .filter(([path, other]) => regionOfZone(path.split("/")[3]!) === placement.region && other.status !== "TERMINATED")
        .reduce((sum, [, other]) => sum + (MACHINE_TYPES.find((type) => type.name === lastSegment(String(other.machineType)))?.guestCpus ?? 0), 0);
      if (usedCpus + machineType.guestCpus > behaviour.cpuQuota) throw new OperationRejected(quotaExceeded("CPUS", behaviour.cpuQuota, placement.region!));
      const networkInterfaces = await Promise.all(
        checkInterfaces(body.networkInterfaces).map((nic, index) => buildInterface(state, behaviour, nic, index, placement)),
      );
      const tags = (body.tags as Json | undefined)?.items;
      const resource: Json = {
        ...identity("compute#instance", placement, state.links, body),
        tags: { ...(Array.isArray(tags) && tags.length ? { items: tags } : {}), fingerprint: fingerprint() },
        machineType: state.links.url(`projects/${placement.project}/zones/${zone}/machineTypes/${machineType.name}`),
        status: "PROVISIONING",
        zone: state.links.url(`projects/${placement.project}/zones/${zone}`),
        canIpForward: body.canIpForward === true,
        networkInterfaces,
        disks,
        metadata: { kind: "compute#metadata", fingerprint: fingerprint(), ...(metadataItems.length ? { items: metadataItems } : {}) },
        ...(Array.isArray(body.serviceAccounts) ? { serviceAccounts: body.serviceAccounts } : {}),
        scheduling: {
          onHostMaintenance: "MIGRATE",
          automaticRestart: true,
          preemptible: false,
          provisioningModel: "STANDARD",
          ...(body.scheduling as Json | undefined),
        },
        cpuPlatform: "Unknown CPU Platform",
        labels,
        labelFingerprint: fingerprint(),
        startRestricted: false,
        deletionProtection: body.deletionProtection === true,
        fingerprint: fingerprint(),
      };
      lifecycle.set(resource, { deleting: false, hooks: Promise.resolve() });
      return resource;
    },

    async provision(resource, placement) {
      const entry = lifecycle.get(resource)!;
      for (const next of ["STAGING", "RUNNING"]) {
        await state.timers.sleep(behaviour.bootStepMs);
        if (entry.deleting) return;
        resource.status = next;
      }
      resource.lastStartTimestamp = timestamp();
      for (const nic of resource.networkInterfaces as Json[]) {
        for (const config of (nic.accessConfigs ?? []) as Json[]) config.natIP = `203.0.113.${(publicAddresses++ % 254) + 1}`;
      }
      const booted = bootedInstance(state, resource, placement);
      entry.booted = booted;
      const onRunning = behaviour.onInstanceRunning;
      if (onRunning) void runHook(resource, () => onRunning(booted));
    },

    async deprovision(resource) {
      const entry = lifecycle.get(resource)!;
      entry.deleting = true;
      resource.status = "STOPPING";
      const { booted } = entry;
      const onDeleted = behaviour.onInstanceDeleted;
      // The guest is gone before the delete operation is DONE.
      if (booted && onDeleted) await runHook(resource, () => onDeleted(booted));
      await state.timers.sleep(behaviour.bootStepMs);
      resource.status = "TERMINATED";
      lifecycle.delete(resource);
    },
  };

  async function guestPoweredOff(path: string): Promise<void> {
    const resource = state.existing(path);
    const entry = lifecycle.get(resource);
    if (resource.status !== "RUNNING" || !entry) throw new Error(`${path} is ${String(resource.status)}, not RUNNING: only a running guest can power off`);
    resource.status = "STOPPING";
    delete entry.booted;
    await state.timers.sleep(behaviour.bootStepMs);
    resource.status = "TERMINATED";
    for (const nic of resource.networkInterfaces as Json[]) {
      for (const config of (nic.accessConfigs ?? []) as Json[]) delete config.natIP;
    }
  }

  return { spec, guestPoweredOff };
}

function checkMachineType(reference: unknown, placement: Placement) {
  const path = resolveReference(String(reference ?? ""), placement.project, `zones/${placement.zone}/machineTypes`);
  const machineType = MACHINE_TYPES.find((type) => path === `projects/${placement.project}/zones/${placement.zone}/machineTypes/${type.name}`);
  if (!machineType) {
    throw invalidField(
      "resource.machineType",
      String(reference ?? ""),
      `Machine type with name '${lastSegment(path)}' does not exist in zone '${placement.zone}'.`,
    );
  }
  return machineType;
}

function checkBootDisk(disks: unknown, placement: Placement, state: GceState): Json[] {
  const list = (Array.isArray(disks) ? disks : []) as Json[];
  const boot = list.find((disk) => disk.boot === true) ?? list[0];
  if (!boot) throw invalidField("resource.disks", "", "Boot disk must be specified.");
  const params = (boot.initializeParams ?? {}) as Json;
  if (typeof params.sourceImage !== "string") throw invalidField("resource.disks[0].initializeParams.sourceImage", "", "Source image must be specified.");
  const imagePath = resolveReference(params.sourceImage, placement.project, "global/images");
  const image = findImage(imagePath);
  if (!image) throw notFound(imagePath);
  const deviceName = String(boot.deviceName ?? placement.name);
  return [
    {
      kind: "compute#attachedDisk",
      type: "PERSISTENT",
      mode: "READ_WRITE",
      source: state.links.url(`projects/${placement.project}/zones/${placement.zone}/disks/${String(params.diskName ?? placement.name)}`),
      deviceName,
      index: 0,
      boot: true,
      autoDelete: boot.autoDelete !== false,
      licenses: [state.links.url(`projects/${image.project}/global/licenses/${image.family}`)],
      interface: "SCSI",
      diskSizeGb: String(params.diskSizeGb ?? image.diskSizeGb),
      architecture: "X86_64",
    },
  ];
}

function checkInterfaces(interfaces: unknown): Json[] {
  if (!Array.isArray(interfaces) || interfaces.length === 0)
    throw invalidField("resource.networkInterfaces", "", "At least one network interface is required.");
  return interfaces as Json[];
}

async function buildInterface(state: GceState, behaviour: InstanceBehaviour, nic: Json, index: number, placement: Placement): Promise<Json> {
  const field = `resource.networkInterfaces[${index}]`;
  const network = state.network(nic.network, placement.project);
  const subnetworkPath =
    typeof nic.subnetwork === "string"
      ? resolveReference(nic.subnetwork, placement.project, `regions/${placement.region}/subnetworks`)
      : network.autoCreateSubnetworks
        ? `projects/${placement.project}/regions/${placement.region}/subnetworks/${network.name}`
        : undefined;
  if (!subnetworkPath) throw invalidField(field, "", "Subnetwork should be specified for custom subnetmode network");
  const subnetwork = state.existing(subnetworkPath);
  if (subnetwork.network !== network.selfLink || subnetworkPath.split("/")[3] !== placement.region) {
    throw invalidField(
      `${field}.subnetwork`,
      String(nic.subnetwork),
      `Subnetwork must be in network '${String(network.name)}' and region '${placement.region}'.`,
    );
  }
  const ipCidrRange = String(subnetwork.ipCidrRange);
  const networkIP =
    typeof nic.networkIP === "string"
      ? nic.networkIP
      : await behaviour.allocateNetworkIP({
          project: placement.project,
          zone: placement.zone!,
          instance: placement.name,
          subnetwork: subnetworkPath,
          ipCidrRange,
        });
  const accessConfigs = ((nic.accessConfigs ?? []) as Json[]).map((config) => ({
    kind: "compute#accessConfig",
    type: "ONE_TO_ONE_NAT",
    name: "External NAT",
    networkTier: "PREMIUM",
    ...config,
  }));
  return {
    kind: "compute#networkInterface",
    network: network.selfLink,
    subnetwork: subnetwork.selfLink,
    networkIP,
    name: `nic${index}`,
    ...(accessConfigs.length ? { accessConfigs } : {}),
    fingerprint: fingerprint(),
    stackType: "IPV4_ONLY",
  };
}

/** Hands out host addresses of each subnetwork in order from .2 (.0 and .1 are the network's and the gateway's). */
export function sequentialAddresses(): (request: AddressRequest) => string {
  const next = new Map<string, number>();
  return ({ subnetwork, ipCidrRange }) => {
    const n = next.get(subnetwork) ?? 2;
    next.set(subnetwork, n + 1);
    return addressInRange(parseCidr(ipCidrRange, "ipCidrRange"), n);
  };
}

function bootedInstance(state: GceState, resource: Json, placement: Placement): BootedInstance {
  const own = ((resource.metadata as Json).items ?? []) as MetadataItem[];
  const project = ((state.store.get(`projects/${placement.project}`)?.commonInstanceMetadata as Json | undefined)?.items ?? []) as MetadataItem[];
  const metadata: Record<string, string> = Object.fromEntries(project.map(({ key, value }) => [key, value]));
  const blockProjectKeys = own.some(({ key, value }) => key === "block-project-ssh-keys" && value.toLowerCase() === "true");
  const projectKeys = blockProjectKeys ? undefined : metadata["ssh-keys"];
  for (const { key, value } of own) metadata[key] = value;
  // The guest accepts the keys of both levels.
  const keys = [projectKeys, own.find(({ key }) => key === "ssh-keys")?.value].filter((value) => value !== undefined);
  if (keys.length) metadata["ssh-keys"] = keys.join("\n");
  else delete metadata["ssh-keys"];
  const nic0 = (resource.networkInterfaces as Json[])[0]!;
  return {
    project: placement.project,
    zone: placement.zone!,
    name: placement.name,
    networkIP: String(nic0.networkIP),
    labels: resource.labels as Record<string, string>,
    metadata,
    resource,
  };
}
