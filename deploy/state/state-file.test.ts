import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { tempDir } from "../../test/helpers.js";
import { DeploymentState, readAllStates, readState, rewriteState } from "./state-file.js";

/** Runs `body` with `dir` as the working directory: `.hydro` is found there, like `.git`. */
function inDir<T>(dir: string, body: () => T): T {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return body();
  } finally {
    process.chdir(before);
  }
}

const instance = (name: string) => ({
  key: `aws/eu-west-1/instance/${name}`,
  provider: "aws",
  kind: "instance",
  scope: { region: "eu-west-1" },
  token: `token-${name}`,
});

test("a resource is on disk as an intent before its creation, then with its id, and is dropped once deleted; the file goes with the last", () => {
  inDir(tempDir(), () => {
    const state = new DeploymentState("d1", "deployment d1");
    const web = state.intend(instance("web"));
    const file = path.resolve(".hydro/state/d1.json");
    assert.deepEqual(
      readState(file).resources.map((resource) => [resource.key, resource.id, resource.token]),
      [["aws/eu-west-1/instance/web", undefined, "token-web"]],
    );
    web.created("i-0abc");
    const db = state.intend(instance("db"));
    assert.deepEqual(
      readState(file).resources.map((resource) => [resource.key, resource.id]),
      [
        ["aws/eu-west-1/instance/web", "i-0abc"],
        ["aws/eu-west-1/instance/db", undefined],
      ],
    );
    web.deleted();
    assert.deepEqual(
      readAllStates().flatMap((contents) => contents.resources.map((resource) => resource.key)),
      ["aws/eu-west-1/instance/db"],
    );
    db.deleted();
    assert.equal(fs.existsSync(file), false);
    assert.deepEqual(readAllStates(), []);
  });
});

test("state files are private (0600 in a 0700 directory) and written whole, never half", () => {
  inDir(tempDir(), () => {
    const state = new DeploymentState("d2", "deployment d2");
    for (let i = 0; i < 50; i++) state.intend(instance(`vm${i}`));
    assert.equal(fs.statSync(".hydro/state").mode & 0o777, 0o700);
    assert.equal(fs.statSync(".hydro/state/d2.json").mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(".hydro/state"), ["d2.json"], "a temporary file was left behind");
  });
});

test("a deployer killed with -9 right after recording leaves the intent on disk", () => {
  const dir = tempDir();
  const script = `
    import { DeploymentState } from ${JSON.stringify(path.resolve("deploy/state/state-file.ts"))};
    new DeploymentState("d3", "deployment d3").intend({ key: "k", provider: "aws", kind: "instance", scope: { region: "r" }, token: "t" });
    process.kill(process.pid, "SIGKILL");
  `;
  const run = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), "--input-type=module", "-e", script], { cwd: dir, encoding: "utf8" });
  assert.equal(run.signal, "SIGKILL", run.stderr);
  assert.deepEqual(
    inDir(dir, () => readAllStates()).map((contents) => contents.resources.map((resource) => resource.token)),
    [["t"]],
  );
});

test("hydro down's rewrite keeps what it could not delete and removes the file when nothing is left", () => {
  inDir(tempDir(), () => {
    const state = new DeploymentState("d4", "deployment d4");
    state.intend(instance("a"));
    state.intend(instance("b"));
    const [contents] = readAllStates();
    rewriteState({ ...contents!, resources: contents!.resources.slice(1) });
    assert.deepEqual(
      readAllStates()[0]!.resources.map((resource) => resource.key),
      ["aws/eu-west-1/instance/b"],
    );
    rewriteState({ ...contents!, resources: [] });
    assert.deepEqual(readAllStates(), []);
  });
});

test("a state file that does not parse is named in the error, not skipped", () => {
  inDir(tempDir(), () => {
    fs.mkdirSync(".hydro/state", { recursive: true });
    fs.writeFileSync(".hydro/state/broken.json", "{ not json");
    assert.throws(() => readAllStates(), /\.hydro\/state\/broken\.json: not a readable state file/);
  });
});
