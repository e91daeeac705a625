// get and wait on zonal, regional and global operations.
import type { Router } from "./router.js";
import type { GceState } from "./state.js";

const SCOPES = ["projects/{project}/zones/{zone}", "projects/{project}/regions/{region}", "projects/{project}/global"];

export function addOperationRoutes(router: Router, state: GceState, maxWaitMs: number): void {
  for (const scope of SCOPES) {
    router.add("GET", `${scope}/operations/{operation}`, (request) => {
      state.checkScope(request);
      return state.operations.get(request.resourcePath).json;
    });
    router.add("POST", `${scope}/operations/{operation}/wait`, (request) => {
      state.checkScope(request);
      return state.operations.wait(request.resourcePath.slice(0, -"/wait".length), maxWaitMs);
    });
  }
}
