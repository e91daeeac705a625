import { test } from "node:test";
import assert from "node:assert/strict";
import { Deployment } from "../deployment.js";
import { ConfigError } from "../errors.js";
import type { AwsInput } from "./options.js";

const valid: AwsInput = { region: "eu-west-1", instanceType: "t3.micro" };

for (const { name, options, says } of [
  { name: "a region that is not one", options: { ...valid, region: "Europe" }, says: /aws\(\): region: an AWS region such as eu-west-1/ },
  { name: "an instance type that is not one", options: { ...valid, instanceType: "micro" }, says: /instanceType: an EC2 instance type/ },
  { name: "an image id that is not one", options: { ...valid, ami: "debian-12" }, says: /ami: an image id/ },
  { name: "a subnet id that is not one", options: { ...valid, subnet: "10.0.0.0/24" }, says: /subnet: a subnet id/ },
  { name: "the deployment tag given as a tag", options: { ...valid, tags: { "hydro-deployment": "x" } }, says: /tags: key "hydro-deployment": hydro-deployment and Name are set by the deployer|tags\.hydro-deployment/ },
  { name: "an SSH source that is not a CIDR", options: { ...valid, sshFrom: "anywhere" }, says: /sshFrom: a CIDR range/ },
  { name: "a dead-man switch of 0 minutes", options: { ...valid, idleShutdownMinutes: 0 }, says: /idleShutdownMinutes: .*(>0|greater|positive)/i },
  { name: "a user name a shell would read as something else", options: { ...valid, user: "root; rm" }, says: /user: a Unix user name/ },
  { name: "an unknown option", options: { ...valid, zone: "eu-west-1a" }, says: /aws\(\): options: .*zone/ },
] as Array<{ name: string; options: unknown; says: RegExp }>) {
  test(`aws() refuses ${name} in one line naming the option and the config's line`, () => {
    const d = new Deployment();
    assert.throws(
      () => d.aws(options as AwsInput),
      (error: Error) => {
        assert.ok(error instanceof ConfigError, error.message);
        assert.match(error.message, /options\.test\.ts:\d+:\d+: aws\(\)/);
        assert.match(error.message, says);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      },
    );
  });
}

test("aws hosts get unique names: the region by default, then -2, -3; a name given twice is refused", () => {
  const d = new Deployment();
  assert.deepEqual(
    [d.aws(valid), d.aws(valid), d.aws({ ...valid, name: "db" })].map((host) => host.name),
    ["aws-eu-west-1", "aws-eu-west-1-2", "db"],
  );
  assert.throws(() => d.aws({ ...valid, name: "db" }), /the host name "db" is already used/);
});
