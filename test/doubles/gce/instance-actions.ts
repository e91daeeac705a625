// Calls on one instance besides get and delete: setLabels, guarded by the label fingerprint.
import { conditionNotMet } from "./errors.js";
import { fingerprint, sameFingerprint } from "./ids.js";
import type { Router } from "./router.js";
import type { GceState } from "./state.js";
import { checkLabels } from "./validation.js";

export function addInstanceActions(router: Router, state: GceState): void {
  router.add("POST", "projects/{project}/zones/{zone}/instances/{name}/setLabels", (request) => {
    const { project, zone } = state.checkScope(request);
    const path = request.resourcePath.slice(0, -"/setLabels".length);
    const instance = state.existing(path);
    if (!sameFingerprint(request.body.labelFingerprint, instance.labelFingerprint)) {
      throw conditionNotMet("Labels fingerprint either invalid or resource labels have changed");
    }
    const labels = checkLabels(request.body.labels);
    const operation = state.operations.start({ project, zone, operationType: "setLabels", targetPath: path, targetId: String(instance.id) });
    state.finishLater(operation, () => Object.assign(instance, { labels, labelFingerprint: fingerprint() }));
    return operation.json;
  });
}
