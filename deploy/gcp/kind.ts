import type { HostKind } from "../host-kind.js";
import { parseGcp, type GcpOptions } from "./options.js";
import { GcpHost, gcpNetwork } from "./index.js";

/** `d.gcp({ project, zone, machineType, … })`: a Compute Engine VM, made at deploy() and deleted at teardown. */
export const gcpKind: HostKind<GcpOptions> = {
  name: "gcp",
  parse: (input, { site }) => parseGcp(input, site),
  hostName: (options) => ({ given: options.name, fallback: `gcp-${options.zones[0]}` }),
  create: (owner, name, options) => new GcpHost(owner, name, options),
  network: gcpNetwork,
  python: { constructor: "GcpMachine", aliases: { type: "machineType" } },
  cleanup: { scopes: "GCP projects", scopeOf: (record) => record.scope.project, provider: async () => (await import("./cleanup.js")).gcp },
};
