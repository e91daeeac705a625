// Read-only calls on what every project sees: zones, regions, machine types, public images.
import { findImage, type Image, MACHINE_TYPES } from "./catalog.js";
import { notFound } from "./errors.js";
import { numericId } from "./ids.js";
import type { Router } from "./router.js";
import type { GceState } from "./state.js";

export function addCatalog(router: Router, state: GceState): void {
  const { links } = state;

  router.add("GET", "projects/{project}/zones/{zone}", (request) => {
    const { project, zone, region } = state.checkScope(request);
    return {
      kind: "compute#zone",
      id: numericId(),
      name: zone,
      status: "UP",
      region: links.url(`projects/${project}/regions/${region}`),
      selfLink: links.url(request.resourcePath),
    };
  });

  router.add("GET", "projects/{project}/regions/{region}", (request) => {
    const { project, region } = state.checkScope(request);
    const zones = state.zones.filter((zone) => zone.startsWith(`${region}-`)).map((zone) => links.url(`projects/${project}/zones/${zone}`));
    return { kind: "compute#region", id: numericId(), name: region, status: "UP", zones, selfLink: links.url(request.resourcePath) };
  });

  router.add("GET", "projects/{project}/zones/{zone}/machineTypes/{name}", (request) => {
    const { zone } = state.checkScope(request);
    const type = MACHINE_TYPES.find((candidate) => candidate.name === request.params.name);
    if (!type) throw notFound(request.resourcePath);
    return {
      kind: "compute#machineType",
      id: numericId(),
      name: type.name,
      description: `${type.guestCpus} vCPU${type.guestCpus > 1 ? "s" : ""}, ${type.memoryMb / 1024} GB RAM`,
      guestCpus: type.guestCpus,
      memoryMb: type.memoryMb,
      isSharedCpu: type.isSharedCpu,
      maximumPersistentDisks: 128,
      maximumPersistentDisksSizeGb: "263168",
      zone,
      architecture: "X86_64",
      selfLink: links.url(request.resourcePath),
    };
  });

  // Public image projects answer for anyone; a family resolves to its newest image.
  for (const template of ["projects/{imageProject}/global/images/family/{family}", "projects/{imageProject}/global/images/{name}"]) {
    router.add("GET", template, (request) => imageJson(state, imageAt(request.resourcePath)));
  }
  router.add("GET", "projects/{imageProject}/zones/{zone}/imageFamilyViews/{family}", (request) => ({
    image: imageJson(state, imageAt(request.resourcePath)),
  }));
}

function imageAt(path: string): Image {
  const image = findImage(path);
  if (!image) throw notFound(path);
  return image;
}

function imageJson(state: GceState, image: Image) {
  return {
    kind: "compute#image",
    id: image.id,
    name: image.name,
    family: image.family,
    status: "READY",
    archiveSizeBytes: "1073741824",
    diskSizeGb: image.diskSizeGb,
    sourceType: "RAW",
    architecture: "X86_64",
    selfLink: state.links.url(`projects/${image.project}/global/images/${image.name}`),
  };
}
