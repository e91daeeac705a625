import { test } from "node:test";
import assert from "node:assert/strict";
import { hostKind, hostKinds, registerHostKind, type HostKind } from "./host-kind.js";
import "./builtin-host-kinds.js";

const kind = (name: string, python?: string): HostKind<undefined> => ({
  name,
  parse: () => undefined,
  hostName: () => ({ given: undefined, fallback: name }),
  create: () => {
    throw new Error("not declared in these tests");
  },
  ...(python ? { python: { constructor: python } } : {}),
});

test("the built-in kinds are registered like any plug-in's, with their Python names and cleanups", () => {
  assert.deepEqual(
    hostKinds().map((registered) => [registered.name, registered.python?.constructor, registered.cleanup?.scopes]),
    [
      ["localhost", "Localhost", undefined],
      ["ssh", "Ssh", undefined],
      ["aws", "AwsMachine", "AWS regions"],
      ["gcp", "GcpMachine", "GCP projects"],
    ],
  );
});

test("registering: a name must be a lowercase word, and no two kinds share a name or a Python name", () => {
  for (const name of ["", "Aws", "my kind", "-x", "x_y"]) {
    assert.throws(() => registerHostKind(kind(name)), new RegExp(`registerHostKind\\(\\): name: "${name}" is not a lowercase word`));
  }
  assert.throws(() => registerHostKind(kind("aws")), /^ConfigError: registerHostKind\(\): a host kind named "aws" is already registered/);
  assert.throws(() => registerHostKind(kind("ec2", "AwsMachine")), /the Python name AwsMachine of "ec2" is already that of "aws"/);
  const mine = kind("my-kind");
  registerHostKind(mine);
  registerHostKind(mine);
  registerHostKind(kind("my-kind")); // another copy from the same file (a config and --plugin bundle it apart) is no clash
  assert.equal(hostKind("my-kind"), mine);
});
