import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { suiteCluster } from "./cluster/suite-cluster.js";
import { fixture, hydro, tempDir } from "../helpers.js";
import { asCpuProfile, topFunctions } from "../../deploy/profile/cpuprofile.js";

const notRoot = process.getuid?.() !== 0 && "needs root: network namespaces and sshd";

/** `hydro run [cli options] profile.hydro.ts -- mode [cluster.json]` in a fresh directory: its output, and the files in .hydro/profiles/<deployment>/. */
async function profiled(mode: string, options: { cli?: string[]; cluster?: string } = {}) {
  const cwd = tempDir();
  const result = await hydro(["run", ...(options.cli ?? []), fixture("profile.hydro.ts"), "--", mode, ...(options.cluster ? [options.cluster] : [])], { cwd });
  assert.equal(result.exitCode, 0, result.stderr);
  const root = path.join(cwd, ".hydro", "profiles");
  const deployments = fs.existsSync(root) ? fs.readdirSync(root) : [];
  assert.ok(deployments.length <= 1, `one deployment's profiles: ${deployments.join(", ")}`);
  const dir = deployments[0] && path.join(root, deployments[0]);
  return { result, dir, files: dir ? fs.readdirSync(dir).sort() : [] };
}

/** hot's profile: valid, with burnCpu (at hot.ts's line, through the bundle's source map) among the top functions, in the flame graph, and in the run's line. */
function checkHot(dir: string, stderr: string) {
  const profile = asCpuProfile(JSON.parse(fs.readFileSync(path.join(dir, "hot.cpuprofile"), "utf8")), "hot.cpuprofile");
  const top = topFunctions(profile, 5).map((fn) => fn.label);
  assert.ok(top.includes("burnCpu hot.ts:8"), `top: ${top.join(", ")}`);
  assert.match(fs.readFileSync(path.join(dir, "hot.svg"), "utf8"), /<title>burnCpu hot\.ts:8: [\d.]+ ms, [\d.]+%<\/title>/);
  assert.match(
    stderr,
    /^profile of hot: \.hydro\/profiles\/\w+\/hot\.cpuprofile \(flame graph: \.hydro\/profiles\/\w+\/hot\.svg\); most self time: .*burnCpu hot\.ts:8 [\d.]+%/m,
  );
}

describe("CPU profiles", () => {
  test("profile: true: the program's profile and flame graph in .hydro/profiles/<deployment>/, its top functions told (on stderr, as hydro's own lines); the other program untouched", async () => {
    const { result, dir, files } = await profiled("option");
    assert.deepEqual(files, ["hot.cpuprofile", "hot.svg"]);
    checkHot(dir!, result.stderr);
    assert.doesNotMatch(result.stderr, /profile of idle/);
  });

  test("a program that crashes (throws) keeps its profile; one killed by a signal has none, said in one line", async () => {
    const crashed = await profiled("crash");
    assert.match(crashed.result.stdout, /^hot exited with code 1$/m);
    checkHot(crashed.dir!, crashed.result.stderr);

    const killed = await profiled("kill");
    assert.match(killed.result.stdout, /^hot exited with code 137$/m);
    assert.deepEqual(killed.files, []);
    assert.match(killed.result.stderr, /^profile of hot: none was written \(a program killed by a signal writes none\)$/m);
  });

  test("hydro run --profile profiles every service; --profile=<names> the ones named, and says which named nothing; a bad list is a usage error", async () => {
    const every = await profiled("cli", { cli: ["--profile"] });
    assert.deepEqual(every.files, ["hot.cpuprofile", "hot.svg", "idle.cpuprofile", "idle.svg"]);
    const one = await profiled("cli", { cli: ["--profile=idle,hto"] });
    assert.deepEqual(one.files, ["idle.cpuprofile", "idle.svg"]);
    // A name no program or cluster had (a typo) is said, once the run is over.
    assert.match(one.result.stderr, /^--profile: no program or cluster was named hto: nothing of that name was profiled$/m);
    const none = await profiled("cli");
    assert.deepEqual(none.files, []);
    const bad = await hydro(["run", "--profile=a,,b", fixture("profile.hydro.ts"), "--", "cli"]);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /^error: --profile=a,,b: expected program or cluster names, comma-separated/m);
  });

  describe("on an SSH host", { skip: notRoot }, () => {
    const cluster = suiteCluster({ hosts: 1 });

    test("the profile is brought back from the host, mapped to the sources, with its flame graph", async () => {
      const { result, dir, files } = await profiled("option", { cluster: cluster().manifestPath });
      assert.deepEqual(files, ["hot.cpuprofile", "hot.svg"]);
      checkHot(dir!, result.stderr);
    });
  });
});
