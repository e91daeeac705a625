import { test } from "node:test";
import assert from "node:assert/strict";
import { Deployment } from "../deployment.js";
import { ConfigError } from "../errors.js";
import type { AwsInput } from "../aws/options.js";
import type { GcpInput } from "../gcp/options.js";

const aws: AwsInput = { region: "eu-west-1", instanceType: "t3.micro" };
const gcp: GcpInput = { project: "my-project-123", zone: "us-central1-a", machineType: "e2-small" };

const cases: Array<{ kind: "aws" | "gcp"; name: string; options: unknown; says: RegExp }> = [
  { kind: "aws", name: "a region that is not one", options: { ...aws, region: "Europe" }, says: /aws\(\): region: an AWS region such as eu-west-1/ },
  { kind: "aws", name: "an instance type that is not one", options: { ...aws, instanceType: "micro" }, says: /instanceType: an EC2 instance type/ },
  { kind: "aws", name: "an image id that is not one", options: { ...aws, ami: "debian-12" }, says: /ami: an image id/ },
  { kind: "aws", name: "a subnet id that is not one", options: { ...aws, subnet: "10.0.0.0/24" }, says: /subnet: a subnet id/ },
  {
    kind: "aws",
    name: "the deployment tag given as a tag",
    options: { ...aws, tags: { "hydro-deployment": "x" } },
    says: /tags: key "hydro-deployment": hydro-deployment and Name are set by the deployer/,
  },
  { kind: "aws", name: "an SSH source that is not a CIDR", options: { ...aws, sshFrom: "anywhere" }, says: /sshFrom: a CIDR range/ },
  { kind: "aws", name: "a dead-man switch of 0 minutes", options: { ...aws, idleShutdownMinutes: 0 }, says: /idleShutdownMinutes: .*(>0|greater|positive)/i },
  { kind: "aws", name: "a user name a shell would read as something else", options: { ...aws, user: "root; rm" }, says: /user: a Unix user name/ },
  { kind: "aws", name: "an unknown option", options: { ...aws, zone: "eu-west-1a" }, says: /aws\(\): options: .*zone/ },
  { kind: "gcp", name: "a project id that is not one", options: { ...gcp, project: "My Project" }, says: /gcp\(\): project: a GCP project id/ },
  { kind: "gcp", name: "a zone that is not one", options: { ...gcp, zone: "us-central1" }, says: /zone: a zone such as us-central1-a/ },
  {
    kind: "gcp",
    name: "no zone",
    options: { project: gcp.project, machineType: "e2-small" },
    says: /gcp\(\): zone: give the zone \(or zones: \[\.\.\.\] to try in order\)/,
  },
  { kind: "gcp", name: "both zone and zones", options: { ...gcp, zones: ["us-central1-b"] }, says: /gcp\(\): give zone or zones, not both/ },
  { kind: "gcp", name: "a label key GCE refuses", options: { ...gcp, labels: { Team: "x" } }, says: /labels: key "Team": a GCE label key/ },
  {
    kind: "gcp",
    name: "the deployment label given as a label",
    options: { ...gcp, labels: { "hydro-deployment": "x" } },
    says: /labels: key "hydro-deployment": hydro-deployment is set by the deployer/,
  },
  { kind: "gcp", name: "a label value GCE refuses", options: { ...gcp, labels: { team: "Lab A" } }, says: /labels\.team: a GCE label value/ },
  { kind: "gcp", name: "an unknown option", options: { ...gcp, region: "us-central1" }, says: /gcp\(\): options: .*region/ },
];

for (const { kind, name, options, says } of cases) {
  test(`${kind}() refuses ${name} in one line naming the option and the config's line`, () => {
    const d = new Deployment();
    assert.throws(
      () => (kind === "aws" ? d.aws(options as AwsInput) : d.gcp(options as GcpInput)),
      (error: Error) => {
        assert.ok(error instanceof ConfigError, error.message);
        assert.match(error.message, new RegExp(`options\\.test\\.ts:\\d+:\\d+: ${kind}\\(\\)`));
        assert.match(error.message, says);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      },
    );
  });
}

test("cloud hosts get unique names: the region or zone by default, then -2, -3; a name given twice is refused", () => {
  const d = new Deployment();
  assert.deepEqual(
    [d.aws(aws), d.aws(aws), d.gcp(gcp), d.gcp(gcp), d.aws({ ...aws, name: "db" })].map((host) => host.name),
    ["aws-eu-west-1", "aws-eu-west-1-2", "gcp-us-central1-a", "gcp-us-central1-a-2", "db"],
  );
  assert.throws(() => d.gcp({ ...gcp, name: "db" }), /the host name "db" is already used/);
});
