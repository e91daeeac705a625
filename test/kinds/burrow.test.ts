import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { execa } from "execa";
import { cli, hydro, repoRoot, tempDir, waitForLine } from "../helpers.js";

// A host kind that lives under test/ (test/kinds/burrow), deployed by real `hydro run`s: the proof that
// a host kind is one folder that registers itself (docs/ARCHITECTURE.md §2).
const kind = path.join(repoRoot, "test", "kinds", "burrow");
const plugin = ["--plugin", path.join(kind, "index.ts")];
const burrows = (dir: string) => fs.readdirSync(dir).filter((file) => file.endsWith(".burrow"));
const stateFiles = (cwd: string) => (fs.existsSync(path.join(cwd, ".hydro", "state")) ? fs.readdirSync(path.join(cwd, ".hydro", "state")) : []);

describe("a host kind registered by a module outside deploy/, cli/ and python/", () => {
  test("a .hydro.ts that imports the kind deploys a service on it; teardown fills the burrow in", async () => {
    const [cwd, dir] = [tempDir(), tempDir()];
    const result = await hydro(["run", path.join(kind, "burrow.hydro.ts"), "--", dir], { cwd });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^echo 7 from den; burrows dug: 1$/m);
    assert.deepEqual(burrows(dir), []);
    assert.deepEqual(stateFiles(cwd), []);
  });

  test("hydro plan places it on the network the kind declares, and digs nothing", async () => {
    const [cwd, dir] = [tempDir(), tempDir()];
    const result = await hydro(["plan", path.join(kind, "burrow.hydro.ts"), "--", dir], { cwd });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^ {2}den +burrow +network deployer +programs: echo_server$/m);
    // Two hosts on one network: the server's port binds TCP, as deploy() would bind it.
    assert.match(result.stdout, /^ {2}script\.ping → echo_server\.inbound +direct +TCP within deployer$/m);
    assert.deepEqual(burrows(dir), []);
    assert.deepEqual(stateFiles(cwd), []);
  });

  test("a .hydro.py declares it as Deployment.Burrow(…) when hydro run loads it with --plugin", async () => {
    const [cwd, dir] = [tempDir(), tempDir()];
    const result = await hydro([...plugin, "run", path.join(kind, "burrow.hydro.py"), "--", dir], { cwd });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^echo 7 from den; burrows dug: 1$/m);
    assert.deepEqual(burrows(dir), []);
  });

  test("a .hydro.ts that imports the kind may also be run with --plugin of it: one kind, registered once", async () => {
    const [cwd, dir] = [tempDir(), tempDir()];
    const result = await hydro([...plugin, "run", path.join(kind, "burrow.hydro.ts"), "--", dir], { cwd });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^echo 7 from den; burrows dug: 1$/m);
  });

  test("without --plugin, the .hydro.py fails in one line naming its line and the kinds there are", async () => {
    const result = await hydro(["run", path.join(kind, "burrow.hydro.py"), "--", tempDir()]);
    assert.equal(result.exitCode, 1);
    assert.match(
      result.stderr,
      /^error: \S*burrow\.hydro\.py:10: AttributeError: 'Deployment' has no attribute 'Burrow' \(host kinds: AwsMachine, GcpMachine, Localhost, Ssh; a plug-in's kind needs hydro --plugin\)$/m,
    );
  });

  test("a plug-in that does not load fails the run in one line, before anything starts", async () => {
    const result = await hydro(["run", "--plugin", "/nonexistent/kind.ts", path.join(kind, "burrow.hydro.ts"), "--", tempDir()]);
    assert.equal(result.exitCode, 1);
    assert.equal(result.stderr.trim(), "error: --plugin /nonexistent/kind.ts: file not found: /nonexistent/kind.ts");
  });

  test("after kill -9, hydro ls and hydro down find its leftovers through the kind's cleanup, by record and by tag", async () => {
    const [cwd, dir] = [tempDir(), tempDir()];
    const run = execa("node", [cli, "run", path.join(kind, "burrow.hydro.ts"), "--", dir, "forever"], { cwd, reject: false, env: { NO_COLOR: "1" } });
    await waitForLine(run, "burrows dug: 1");
    run.kill("SIGKILL");
    await run;
    assert.equal(burrows(dir).length, 1, "kill -9 leaves the burrow");
    const [state] = stateFiles(cwd);
    assert.ok(state, "and its record");
    const deployment = state.replace(/\.json$/, "");

    const listed = await hydro([...plugin, "ls"], { cwd });
    assert.equal(listed.exitCode, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${deployment}  burrow-test  .*deployer gone`, "m"));
    assert.match(listed.stdout, /^ {2}burrow burrow \S+\.burrow {2}burrow\/den$/m);

    // The kind is what knows how to delete a burrow: without it, nothing is deleted and the record stays.
    const unknown = await hydro(["down"], { cwd });
    assert.equal(unknown.exitCode, 1);
    assert.match(
      unknown.stderr,
      /resources of "burrow" cannot be cleaned up here: no host kind "burrow" with a cleanup is registered \(known: aws, gcp; load a plug-in's with hydro --plugin <module>\)/,
    );
    assert.equal(burrows(dir).length, 1);

    const down = await hydro([...plugin, "down"], { cwd });
    assert.equal(down.exitCode, 0, down.stderr);
    assert.match(down.stdout, new RegExp(`^deleted burrow burrow \\S+\\.burrow burrow/den of deployment ${deployment}$`, "m"));
    assert.deepEqual(burrows(dir), []);
    assert.deepEqual(stateFiles(cwd), []);

    // A burrow nobody recorded is found by its tag with --all and the kind's own scope flag.
    fs.writeFileSync(path.join(dir, "orphan.den.burrow"), JSON.stringify({ deployment: "0rphan00", host: "den" }));
    const usage = await hydro([...plugin, "down", "--all"], { cwd });
    assert.equal(usage.exitCode, 2);
    assert.match(
      usage.stderr,
      /^error: down --all needs where to search: --aws <AWS regions…> and\/or --gcp <GCP projects…> and\/or --burrow <directories…>$/m,
    );
    const all = await hydro([...plugin, "down", "--all", "--burrow", dir, "--yes"], { cwd });
    assert.equal(all.exitCode, 0, all.stderr);
    assert.match(all.stdout, /^deleted burrow burrow \S+orphan\.den\.burrow burrow\/den of deployment 0rphan00$/m);
    assert.deepEqual(burrows(dir), []);
  });

  test("no line of deploy/, cli/ or python/ names the kind", () => {
    const grep = spawnSync("grep", ["-rli", "burrow", "deploy", "cli", "python"], { cwd: repoRoot, encoding: "utf8" });
    assert.equal(grep.status, 1, `grep found it in: ${grep.stdout}${grep.stderr}`);
  });
});
