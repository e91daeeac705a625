import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { inTempDir } from "../../test/helpers.js";
import { DeploymentState, readState } from "./state-file.js";
import { createRecorded, type ResourceIntent } from "./recorded.js";

const intent: ResourceIntent = {
  key: "aws/eu-west-1/security-group/sg",
  provider: "aws",
  kind: "security-group",
  scope: { region: "eu-west-1" },
  token: "hydro-d1-sg",
};
const onDisk = () => {
  const file = path.resolve(".hydro/state/d1.json");
  return fs.existsSync(file) ? readState(file).resources.map(({ key, id, token }) => ({ key, id, token })) : [];
};

test("recorded before the call, with its id once known; release deletes it by id and then forgets it", async () => {
  await inTempDir(async () => {
    const state = new DeploymentState("d1", "deployment d1");
    const removed: ResourceIntent[] = [];
    const made = await createRecorded(
      state,
      intent,
      async (record) => void removed.push(record),
      async (created) => {
        assert.deepEqual(onDisk(), [{ key: intent.key, id: undefined, token: intent.token }], "the intent is on disk before the call");
        created("sg-0abc");
        assert.deepEqual(onDisk(), [{ key: intent.key, id: "sg-0abc", token: intent.token }]);
        return "made";
      },
    );
    assert.equal(made.value, "made");
    assert.equal(removed.length, 0, "nothing deleted while it is in use");
    await made.release();
    assert.deepEqual(
      removed.map((record) => record.id),
      ["sg-0abc"],
    );
    assert.deepEqual(onDisk(), []);
    assert.deepEqual(state.resources, []);
  });
});

test("a creation that fails before its id is known: deleted by what the intent carries (a lost response may have made it), forgotten, its error thrown", async () => {
  await inTempDir(async () => {
    const state = new DeploymentState("d1", "deployment d1");
    const removed: ResourceIntent[] = [];
    const refused = new Error("InvalidParameterValue");
    await assert.rejects(
      createRecorded(
        state,
        intent,
        async (record) => void removed.push(record),
        async () => {
          throw refused;
        },
      ),
      (error) => error === refused,
    );
    assert.deepEqual(
      removed.map(({ id, token }) => ({ id, token })),
      [{ id: undefined, token: intent.token }],
    );
    assert.deepEqual(state.resources, []);
  });
});

test("a creation that fails after its id is known (a VM that never runs) is deleted by id", async () => {
  await inTempDir(async () => {
    const state = new DeploymentState("d1", "deployment d1");
    const removed: Array<string | undefined> = [];
    await assert.rejects(
      createRecorded(
        state,
        intent,
        async (record) => void removed.push(record.id),
        async (created) => {
          created("i-0abc");
          throw new Error("not running after 300 s");
        },
      ),
      /not running/,
    );
    assert.deepEqual(removed, ["i-0abc"]);
    assert.deepEqual(state.resources, []);
  });
});

test("what cannot be deleted after a failed creation stays recorded, for `hydro down`; the creation's error is the one thrown", async () => {
  await inTempDir(async () => {
    const state = new DeploymentState("d1", "deployment d1");
    await assert.rejects(
      createRecorded(
        state,
        intent,
        async () => {
          throw new Error("RequestLimitExceeded");
        },
        async (created) => {
          created("sg-0abc");
          throw new Error("opening SSH failed");
        },
      ),
      /opening SSH failed/,
    );
    assert.deepEqual(onDisk(), [{ key: intent.key, id: "sg-0abc", token: intent.token }]);
  });
});
