// The project resource and its common instance metadata (project-wide `ssh-keys`, `startup-script`).
import { conditionNotMet } from "./errors.js";
import { fingerprint, numericId, sameFingerprint, timestamp } from "./ids.js";
import type { Router } from "./router.js";
import type { GceState } from "./state.js";
import type { Json } from "./store.js";
import { checkMetadataItems } from "./validation.js";

export function addProject(router: Router, state: GceState, cpuQuota: number): void {
  const path = `projects/${state.project}`;
  const project: Json = {
    kind: "compute#project",
    id: numericId(),
    creationTimestamp: timestamp(),
    name: state.project,
    commonInstanceMetadata: { kind: "compute#metadata", fingerprint: fingerprint() },
    quotas: [{ metric: "CPUS_ALL_REGIONS", limit: cpuQuota * state.regions.length, usage: 0 }],
    selfLink: state.links.url(path),
    defaultServiceAccount: `123456789012-compute@developer.gserviceaccount.com`,
    xpnProjectStatus: "UNSPECIFIED_XPN_PROJECT_STATUS",
    defaultNetworkTier: "PREMIUM",
  };
  state.store.put(path, project);

  router.add("GET", "projects/{project}", (request) => {
    state.checkScope(request);
    return project;
  });

  router.add("POST", "projects/{project}/setCommonInstanceMetadata", (request) => {
    state.checkScope(request);
    const current = project.commonInstanceMetadata as Json;
    // Without a fingerprint the write is unconditional; with a stale one it is refused.
    if (request.body.fingerprint !== undefined && !sameFingerprint(request.body.fingerprint, current.fingerprint)) {
      throw conditionNotMet("Supplied fingerprint does not match current metadata fingerprint.");
    }
    const items = checkMetadataItems(request.body.items);
    const operation = state.operations.start({
      project: state.project,
      operationType: "compute.projects.setCommonInstanceMetadata",
      targetPath: path,
      targetId: String(project.id),
    });
    state.finishLater(
      operation,
      () => (project.commonInstanceMetadata = { kind: "compute#metadata", fingerprint: fingerprint(), ...(items.length ? { items } : {}) }),
    );
    return operation.json;
  });
}
