import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Deployment } from "../deployment.js";
import { hydro, tempDir } from "../../test/helpers.js";

// Asked to stop, it takes 1 s to clean up, then exits 3 (the sleep is the shell's own: SIGTERM reached the group's).
const SLOW_TO_STOP = "trap 'sleep 1; exit 3' TERM; echo trapped; while :; do sleep 0.1; done";

/** Teardown only once the trap is set: a SIGTERM before it would end the shell at once. */
async function trapped(lines: AsyncIterable<string>): Promise<void> {
  for await (const line of lines) if (line === "trapped") return;
}

test("a process's own stopTimeoutMs overrides the deployment's, both ways", async () => {
  const patient = new Deployment({ stopTimeoutMs: 100 });
  const given = patient.process({ command: SLOW_TO_STOP, on: patient.localhost(), stopTimeoutMs: 10_000 });
  const givenOutput = given.stdout();
  await patient.deploy();
  await trapped(givenOutput);
  await patient.teardown();
  assert.equal(await given.exitCode(), 3, "given its own 10 s, it finished cleaning up");

  const hasty = new Deployment({ stopTimeoutMs: 10_000 });
  const cut = hasty.process({ command: SLOW_TO_STOP, on: hasty.localhost(), stopTimeoutMs: 100 });
  const cutOutput = cut.stdout();
  await hasty.deploy();
  await trapped(cutOutput);
  await hasty.teardown();
  assert.equal(await cut.exitCode(), 137, "killed after its own 100 ms");
});

test("Python: Process(stop_timeout_ms=…) is the process's own", async () => {
  const dir = tempDir();
  const config = path.join(dir, "stop.hydro.py");
  fs.writeFileSync(
    config,
    [
      "import hydro",
      "async def main(args):",
      "    d = hydro.Deployment(stop_timeout_ms=100)",
      `    p = d.Process(command=${JSON.stringify(SLOW_TO_STOP)}, on=d.Localhost(), stop_timeout_ms=10000)`,
      "    output = p.stdout()",
      "    await d.deploy()",
      "    async for line in output:",
      "        if line == 'trapped':",
      "            break",
      "    await d.teardown()",
      "    print('exit code', await p.exit_code())",
    ].join("\n"),
  );
  const result = await hydro(["run", config], { cwd: dir });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /^exit code 3$/m);
});
