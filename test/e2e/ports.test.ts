import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fixture, hydro, tempDir, eventually, waitForLine } from "../helpers.js";
import { encodeFrame } from "../../runtime/framing.js";

const frame = (value: unknown) => encodeFrame(Buffer.from(JSON.stringify(value)));
const ping = (seq: number) => frame({ seq, text: `forged ${seq}`, sentAt: 0 });

/** What another local user might write to a receiver's socket: none of it carries a credential the deployer made. */
const forgeries: Array<[string, Buffer[]]> = [
  ["a hello naming the real client, without a token", [frame({ hydro: 1, from: "pinger" }), ping(1)]],
  ["a hello with a made-up token", [frame({ hydro: 1, token: "AAAAAAAAAAAAAAAAAAAAAAAA" }), ping(2)]],
  ["pings without a hello", [ping(3), ping(4)]],
];

/** Connects to `socketPath`, writes `frames`, and asserts that the receiver closes the connection. */
async function forge(socketPath: string, what: string, frames: Buffer[]): Promise<void> {
  const socket = net.connect(socketPath);
  socket.on("error", () => {});
  const closed = new Promise<boolean>((resolve) => socket.once("close", () => resolve(true)));
  for (const bytes of frames) socket.write(bytes);
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 20_000)));
  const closedByReceiver = await Promise.race([closed, gaveUp]);
  clearTimeout(timer);
  socket.destroy();
  assert.ok(closedByReceiver, `the receiver did not close a connection that sent ${what}`);
}

test("forged hellos on a deployed receiver's socket are refused and counted while the real client keeps getting its echoes", async () => {
  const stopFile = path.join(tempDir(), "stop");
  const run = hydro(["run", fixture("ping-until.hydro.ts"), "--", stopFile]);
  let stdout = "";
  run.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const echoesSoFar = () => [...stdout.matchAll(/^\[pinger\] echo (\d+)$/gm)].length;
  await waitForLine(run, "[pinger] echo 0");
  try {
    const runDir = fs.readdirSync(os.tmpdir()).find((entry) => entry.startsWith(`hydro-${run.pid}-`));
    assert.ok(runDir, "the run directory of this hydro run exists");
    const socketName = fs.readdirSync(path.join(os.tmpdir(), runDir)).find((entry) => entry.endsWith("echo_server.inbound.sock"));
    assert.ok(socketName, "the echo server's inbound socket is in the run directory");
    for (const [what, frames] of forgeries) await forge(path.join(os.tmpdir(), runDir, socketName), what, frames);

    const echoesAfterForgeries = echoesSoFar();
    await eventually(() => echoesSoFar() >= echoesAfterForgeries + 3, 30_000, "three more echoes after the forgeries");
  } finally {
    fs.writeFileSync(stopFile, "");
  }
  const result = await run;

  assert.equal(result.exitCode, 0, result.stderr);
  for (let refused = 1; refused <= forgeries.length; refused++) {
    assert.match(result.stderr, new RegExp(`\\[echo_server\\] .*port 'inbound': refused connection #${refused}: `));
  }
  assert.doesNotMatch(result.stdout, /forged/);
  const done = Number(/^\[pinger\] done: (\d+) echoes$/m.exec(result.stdout)?.[1]);
  const echoed = [...result.stdout.matchAll(/^\[pinger\] echo (\d+)$/gm)].map((match) => Number(match[1]));
  assert.deepEqual(
    echoed,
    Array.from({ length: done }, (_, seq) => seq),
  );
});
