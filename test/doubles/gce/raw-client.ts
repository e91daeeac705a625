// Plain fetch calls on a GCE double, for tests that check the wire itself (status codes, bodies,
// requestId) without any client library in between.
import type { GceDouble } from "./double.js";
import type { Json } from "./store.js";

export interface RawResponse {
  readonly status: number;
  readonly json: Json;
}

export function rawClient(double: GceDouble, token = "hydro-test-token") {
  const projectRoot = `${double.endpoint}projects/${double.project}`;
  const call = async (method: string, path: string, body?: unknown): Promise<RawResponse> => {
    const response = await fetch(`${projectRoot}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: JSON.parse(text) as Json };
  };
  return {
    call,
    /** Polls an operation with `wait` (bounded) until DONE; returns the DONE operation. */
    async untilDone(operation: Json): Promise<Json> {
      const scope = operation.zone
        ? `/zones/${String(operation.zone).split("/").pop()}`
        : operation.region
          ? `/regions/${String(operation.region).split("/").pop()}`
          : "/global";
      let current = operation;
      for (let attempt = 0; current.status !== "DONE"; attempt++) {
        if (attempt === 100) throw new Error(`operation ${String(operation.name)} not DONE after 100 waits`);
        current = (await call("POST", `${scope}/operations/${String(operation.name)}/wait`, "")).json;
      }
      return current;
    },
  };
}

/** The smallest instances.insert body the API accepts, in the shape @google-cloud/compute sends. */
export function instanceBody(name: string, labels: Record<string, string> = {}, machineType = "e2-small", zone = "us-central1-a"): Json {
  return {
    name,
    machineType: `zones/${zone}/machineTypes/${machineType}`,
    labels,
    disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: "projects/debian-cloud/global/images/family/debian-12" } }],
    networkInterfaces: [{ network: "global/networks/default", accessConfigs: [{ name: "External NAT", type: "ONE_TO_ONE_NAT" }] }],
    metadata: { items: [{ key: "startup-script", value: "#!/bin/bash\necho hi" }] },
  };
}
