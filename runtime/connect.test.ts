import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { connect } from "./connect.js";
import { source, sink } from "./ports.js";
import { ENV_SERVICE } from "./protocol.js";
import { beginGraphCapture, endGraphCapture } from "./dataflow/capture.js";
import { collect } from "../test/helpers.js";

const Message = z.object({ n: z.number() });

test("while graphs are captured, connect() needs no deployer and its ports carry nothing", async () => {
  assert.equal(process.env[ENV_SERVICE], undefined, "not started by a deployer");
  beginGraphCapture();
  try {
    const { inbound, outbound } = await connect({ inbound: source(Message), outbound: sink(Message) });
    assert.deepEqual(await collect(inbound), []);
    outbound.send({ n: 1 }, { to: "anyone" });
    assert.equal(outbound.dropped, 1);
  } finally {
    endGraphCapture();
  }
});
