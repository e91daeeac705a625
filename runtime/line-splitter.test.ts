import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { LineSplitter, LINE_CONTINUES, MAX_LINE_BYTES } from "./line-splitter.js";
import { readLines } from "./protocol.js";

/** Every line a child process prints, read through readLines from its real stdout pipe. */
function linesOf(script: string): Promise<string[]> {
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  return new Promise((resolve) =>
    readLines(
      child.stdout,
      (line) => void lines.push(line),
      () => resolve(lines),
    ),
  );
}

test("a line longer than the cap arrives as capped pieces, each but the last ending in the marker, that join back to it", async () => {
  const length = 20 * MAX_LINE_BYTES + 12344;
  const lines = await linesOf(`process.stdout.write("ab".repeat(${length / 2}).slice(0, ${length}) + "\\nafter\\n")`);
  assert.equal(lines.at(-1), "after");
  const pieces = lines.slice(0, -1);
  assert.equal(pieces.length, 21);
  for (const piece of pieces.slice(0, -1)) {
    assert.ok(piece.endsWith(LINE_CONTINUES));
    assert.equal(Buffer.byteLength(piece) - LINE_CONTINUES.length, MAX_LINE_BYTES);
  }
  assert.ok(!pieces.at(-1)!.endsWith(LINE_CONTINUES));
  const joined = pieces.map((piece) => (piece.endsWith(LINE_CONTINUES) ? piece.slice(0, -LINE_CONTINUES.length) : piece)).join("");
  assert.equal(joined.length, length);
  assert.equal(joined, "ab".repeat(length / 2).slice(0, length));
});

test("lines are delivered verbatim whatever chunks they arrive in, the last one without a newline too", async () => {
  const text = "één\r\n\n\u0010hydro/1 x\ttabs\nno newline at the end";
  const lines = await linesOf(`for (const byte of Buffer.from(${JSON.stringify(text)})) process.stdout.write(Buffer.from([byte]))`);
  assert.deepEqual(lines, ["één\r", "", "\u0010hydro/1 x\ttabs", "no newline at the end"]);
});

test("a capped line is never cut inside a UTF-8 character", () => {
  const splitter = new LineSplitter(5);
  const pieces = [...splitter.push(Buffer.from("aé€b😀c\n"))];
  assert.deepEqual(pieces, [`aé${LINE_CONTINUES}`, `€b${LINE_CONTINUES}`, `😀c`]);
});
