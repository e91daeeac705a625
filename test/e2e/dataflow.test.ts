import { test, describe } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { repoRoot, hydro } from "../helpers.js";

const example = (name: string) => path.join(repoRoot, "examples", "echo", name);

describe("the echo server written as a dataflow graph", () => {
  test("hydro run: every ping is logged by the graph and echoed back to the client, exit 0", async () => {
    const result = await hydro(["run", example("echo_dataflow.hydro.ts"), "--", "3"]);
    assert.equal(result.exitCode, 0, result.stderr);
    for (let seq = 0; seq < 3; seq++) {
      assert.match(result.stdout, new RegExp(`^\\[echo_server\\] echo_client says: hello ${seq}$`, "m"));
      assert.match(result.stdout, new RegExp(`^\\[echo_client\\] echo ${seq}: \\d+\\.\\d+ ms round trip$`, "m"));
    }
    assert.match(result.stdout, /^\[echo_client\] done: 3 echoes, mean round trip/m);
  });

  test("hydro graph: one in-out tree from the inbound port to the outbound port", async () => {
    const result = await hydro(["graph", example("echo_server_dataflow.ts")]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^%% echo_server$/m);
    assert.match(result.stdout, /^subgraph sg_0 \["sg_0 stratum 0"\]$/m);
    assert.doesNotMatch(result.stdout, /sg_1/);
    assert.match(result.stdout, /^\s+n0\[.*<code>sourceStream\(inbound\)<\/code>/m);
    assert.match(result.stdout, /^\s+n3\[.*<code>destSink\(.*outbound\.send\(echo, \{ to \}\)\)<\/code>/m);
    assert.match(result.stdout, /^\s+n0-->n1\n\s+n1-->n2\n\s+n2-->n3$/m);
  });
});
