import type { HostKind } from "../host-kind.js";
import { parseAws, type AwsOptions } from "./options.js";
import { AwsHost } from "./index.js";

/** `d.aws({ region, instanceType, … })`: an EC2 VM, made at deploy() and terminated at teardown. */
export const awsKind: HostKind<AwsOptions> = {
  name: "aws",
  parse: (input, { site }) => parseAws(input, site),
  hostName: (options) => ({ given: options.name, fallback: `aws-${options.region}` }),
  create: (owner, name, options) => new AwsHost(owner, name, options),
  // Launched, it is `aws:<region>/<vpc id>`; before, the VPC is known by what chooses it.
  network: (options) => `aws:${options.region}/${options.subnet ? `VPC of ${options.subnet}` : "default VPC"}`,
  python: { constructor: "AwsMachine", aliases: { type: "instanceType" } },
  cleanup: { scopes: "AWS regions", scopeOf: (record) => record.scope.region, provider: async () => (await import("./cleanup.js")).aws },
};
