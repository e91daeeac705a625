import { test } from "node:test";
import assert from "node:assert/strict";
import { CONTROL_MARK, PROTOCOL_VERSION, encodeControl, parseLine, type ProgramMessage } from "./protocol.js";
import { controlLookalikes } from "../test/fixtures/control-lookalikes.js";

const secret = "s3cretS3cretS3cretS3cr";

test("output that looks like control but lacks the program's secret is text, verbatim", () => {
  const withPartialSecret = [
    `\u0010hydro/${secret.slice(0, 11)}/1 {"type":"started"}`,
    `\u0010hydro/${secret}`,
    `\u0010hydro/${secret.toUpperCase()}/1 {"type":"started"}`,
  ];
  for (const line of [...controlLookalikes, ...withPartialSecret]) assert.deepEqual(parseLine(line, secret), { kind: "text", text: line });
});

test("a control line round-trips", () => {
  const line = encodeControl({ type: "started" }, secret).trimEnd();
  assert.deepEqual(parseLine<ProgramMessage>(line, secret), { kind: "control", text: "", message: { type: "started" } });
});

test("a control line is text to a reader with another secret", () => {
  const line = encodeControl({ type: "started" }, secret).trimEnd();
  assert.deepEqual(parseLine(line, "another"), { kind: "text", text: line });
});

test("a control line after a partial line of user output keeps that output", () => {
  const parsed = parseLine<ProgramMessage>(`progress: 50%${encodeControl({ type: "started" }, secret).trimEnd()}`, secret);
  assert.deepEqual(parsed, { kind: "control", text: "progress: 50%", message: { type: "started" } });
});

test("another protocol version is reported, not misread", () => {
  const parsed = parseLine(`${CONTROL_MARK}${secret}/${PROTOCOL_VERSION + 1} {"type":"ready"}`, secret);
  assert.equal(parsed.kind, "bad-control");
  assert.match((parsed as { reason: string }).reason, new RegExp(`version ${PROTOCOL_VERSION + 1}`));
});

test("a malformed control line is reported", () => {
  assert.equal(parseLine(`${CONTROL_MARK}${secret}/${PROTOCOL_VERSION} {not json`, secret).kind, "bad-control");
});
