import { test } from "node:test";
import assert from "node:assert/strict";
import { CONTROL_MARK, PROTOCOL_VERSION, encodeControl, parseLine, type ProgramMessage } from "./protocol.js";

test("ordinary output is text, even when it mentions hydro", () => {
  assert.deepEqual(parseLine("hydro/1 ready {}"), { kind: "text", text: "hydro/1 ready {}" });
});

test("a control line round-trips", () => {
  const line = encodeControl({ type: "started" }).trimEnd();
  assert.deepEqual(parseLine<ProgramMessage>(line), { kind: "control", text: "", message: { type: "started" } });
});

test("a control line after a partial line of user output keeps that output", () => {
  const parsed = parseLine<ProgramMessage>(`progress: 50%${encodeControl({ type: "started" }).trimEnd()}`);
  assert.deepEqual(parsed, { kind: "control", text: "progress: 50%", message: { type: "started" } });
});

test("another protocol version is reported, not misread", () => {
  const parsed = parseLine(`${CONTROL_MARK}${PROTOCOL_VERSION + 1} {"type":"ready"}`);
  assert.equal(parsed.kind, "bad-control");
  assert.match((parsed as { reason: string }).reason, new RegExp(`version ${PROTOCOL_VERSION + 1}`));
});

test("a malformed control line is reported", () => {
  assert.equal(parseLine(`${CONTROL_MARK}${PROTOCOL_VERSION} {not json`).kind, "bad-control");
});
