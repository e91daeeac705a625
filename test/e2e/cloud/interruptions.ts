// The Ctrl-C / kill -9 matrix of a cloud deployment: interrupting `hydro run` at spread-out
// moments of its provisioning timeline (shared resources, VM creation, running, boot, SSH, upload,
// start: a second or two on the doubles) hits every step; after each, nothing may be left in the
// cloud (Ctrl-C: by the CLI's own teardown; kill -9: by `hydro down`, also with the state file gone
// and `hydro down --all`).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { cli, tempDir } from "../../helpers.js";

export const MOMENTS_MS = [50, 250, 500, 800, 1200, 1800, 3000];

export interface InterruptedCloud {
  /** e.g. "two EC2 VMs" */
  what: string;
  /** `hydro run` arguments of the deployment. */
  run: () => string[];
  env: () => Record<string, string>;
  /** `hydro down --all` arguments that find everything by tag (`--aws us-east-1`). */
  searchAll: () => string[];
  /** Fails (by assertion) if anything of any deployment is left in the cloud. */
  assertNothingLeft: () => Promise<void>;
}

export function interruptionMatrix(cloud: InterruptedCloud): void {
  const start = (dir: string) => execa("node", [cli, "run", ...cloud.run()], { cwd: dir, reject: false, env: cloud.env() });
  const hydro = (dir: string, args: string[]) => execa("node", [cli, ...args], { cwd: dir, reject: false, env: cloud.env() });
  const stateFiles = (dir: string) => {
    const state = path.join(dir, ".hydro", "state");
    return fs.existsSync(state) ? fs.readdirSync(state) : [];
  };

  for (const moment of MOMENTS_MS) {
    test(`Ctrl-C ${moment} ms into a deployment of ${cloud.what} leaves nothing in the cloud and no state`, async () => {
      const dir = tempDir();
      const child = start(dir);
      await new Promise((resolve) => setTimeout(resolve, moment));
      child.kill("SIGINT");
      const result = await child;
      // Before the CLI has installed its handler (the first few ms), SIGINT ends node at once: nothing had started.
      assert.ok(result.exitCode === 130 || result.exitCode === 0 || result.signal === "SIGINT", `exit ${result.exitCode ?? result.signal}: ${result.stderr}`);
      await cloud.assertNothingLeft();
      assert.deepEqual(stateFiles(dir), []);
    });
  }

  for (const [moment, withState] of MOMENTS_MS.map((moment, i) => [moment, i % 2 === 0] as const)) {
    test(`kill -9 ${moment} ms into a deployment of ${cloud.what}, then ${withState ? "hydro down" : "the state file deleted and hydro down --all"}: nothing is left in the cloud`, async () => {
      const dir = tempDir();
      const child = start(dir);
      await new Promise((resolve) => setTimeout(resolve, moment));
      child.kill("SIGKILL");
      await child;
      if (!withState) fs.rmSync(path.join(dir, ".hydro", "state"), { recursive: true, force: true });
      const down = await hydro(dir, withState ? ["down"] : ["down", "--all", ...cloud.searchAll(), "--yes"]);
      assert.equal(down.exitCode, 0, down.stdout + down.stderr);
      await cloud.assertNothingLeft();
      assert.deepEqual(stateFiles(dir), []);
    });
  }
}
