import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { connect } from "./connect.js";
import { source, sink, type PortSpec } from "./ports.js";
import { beginGraphCapture, endGraphCapture } from "./dataflow/capture.js";

const Message = z.object({ n: z.number() });

/** Declarations connect() must refuse, and the one-line error each gets. */
const badDeclarations: Array<[string, Record<string, PortSpec>, string | RegExp]> = [
  [
    "a source without a schema",
    { inbound: source(undefined as never) },
    "connect(): port 'inbound' needs a schema: source(schema) with a Standard Schema (zod 4, valibot, …), got source(undefined)",
  ],
  [
    "a sink without a schema",
    { outbound: sink(undefined as never) },
    "connect(): port 'outbound' needs a schema: sink(schema) with a Standard Schema (zod 4, valibot, …), got sink(undefined)",
  ],
  [
    "a source given something that is not a schema",
    { inbound: source({ parse: () => 1 } as never) },
    "connect(): port 'inbound' needs a schema: source(schema) with a Standard Schema (zod 4, valibot, …), got source(an object with keys parse)",
  ],
  [
    "a schema in place of source(schema)",
    { inbound: Message as never },
    /^connect\(\): port 'inbound' must be declared with source\(schema\) or sink\(schema\), got an object with keys /,
  ],
];

for (const [what, specs, message] of badDeclarations) {
  test(`connect() refuses ${what} with one line naming the port`, async () => {
    beginGraphCapture();
    try {
      await assert.rejects(connect(specs), (error: Error) => {
        assert.ok(!error.message.includes("\n"), error.message);
        if (typeof message === "string") assert.equal(error.message, message);
        else assert.match(error.message, message);
        return true;
      });
    } finally {
      endGraphCapture();
    }
  });
}
