import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { cli, fixture, hydro, tempDir, processesMatching, uniqueTag } from "../helpers.js";
import { controlLookalikes } from "../fixtures/control-lookalikes.js";

interface Reader {
  /** When the reader starts reading the CLI's stdout. */
  startAfterMs?: number;
  /** Its reading speed once started (unlimited when absent). */
  bytesPerSecond?: number;
  /** Closes the pipe after the first line, like `| head -1`. */
  closeAfterFirstLine?: boolean;
}

interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  lines: number;
  /** The CLI process's peak resident set (VmHWM), in MiB. */
  peakRssMiB: number;
}

/** Runs the built CLI with its stdout read by `reader` through a real pipe, watching its memory. */
async function hydroInto(args: string[], reader: Reader, keepStdout = true): Promise<Run> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: tempDir(), env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let peakRssKiB = 0;
  const watch = setInterval(() => {
    const status = fs.readFileSync(`/proc/${child.pid}/status`, { encoding: "utf8", flag: "r" }).toString();
    peakRssKiB = Math.max(peakRssKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
  }, 50);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  exited.then(() => clearInterval(watch));

  await sleep(reader.startAfterMs ?? 0);
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  const kept: Buffer[] = [];
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
    if (keepStdout) kept.push(chunk);
    if (reader.closeAfterFirstLine && lines > 0) {
      child.stdout.destroy();
      break;
    }
    if (reader.bytesPerSecond) {
      const ahead = (bytes / reader.bytesPerSecond) * 1000 - (performance.now() - started);
      if (ahead >= 2) await sleep(ahead);
    }
  }
  const exitCode = await exited;
  return { exitCode, stdout: Buffer.concat(kept).toString(), stderr, lines, peakRssMiB: peakRssKiB / 1024 };
}

describe("hydro run's output: nothing lost, memory bounded", () => {
  test("a reader that starts 1 s late still gets every line, in order, and the run exits 0", async () => {
    const count = 104_858;
    const run = await hydroInto(["run", fixture("flood.hydro.ts"), "--", String(count)], { startAfterMs: 1000 });
    assert.equal(run.exitCode, 0, run.stderr);
    const lines = run.stdout.split("\n").slice(0, -1);
    assert.equal(lines.length, count);
    lines.forEach((line, n) => assert.equal(line, `[flood] line ${String(n).padStart(10, "0")}xxxx`));
  });

  test("with --json, a reader that starts 1 s late gets every output event", async () => {
    const count = 104_858;
    const run = await hydroInto(["run", "--json", fixture("flood.hydro.ts"), "--", String(count)], { startAfterMs: 1000 });
    assert.equal(run.exitCode, 0, run.stderr);
    const outputs = run.stdout
      .split("\n")
      .slice(0, -1)
      .map((line) => JSON.parse(line) as { type: string; line?: string })
      .filter((event) => event.type === "output");
    assert.equal(outputs.length, count);
    outputs.forEach((event, n) => assert.equal(event.line, `line ${String(n).padStart(10, "0")}xxxx`));
  });

  test("300 MB of output to a slow pipe keeps the deployer under 150 MB and delivers every line", async (t) => {
    const count = 300_000;
    const run = await hydroInto(["run", fixture("flood.hydro.ts"), "--", String(count), "1000"], { startAfterMs: 1000, bytesPerSecond: 60e6 }, false);
    t.diagnostic(`peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.lines, count);
    assert.ok(run.peakRssMiB <= 150, `the deployer peaked at ${run.peakRssMiB.toFixed(0)} MiB`);
  });

  test("300 MB of output to a slow `for await` over stdout() keeps the deployer under 150 MB and delivers every line", async (t) => {
    const run = await hydroInto(["run", fixture("flood-iterated.hydro.ts"), "--", "300000", "1000"], {});
    t.diagnostic(`peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /^iterated 300000 lines$/m);
    assert.ok(run.peakRssMiB <= 150, `the deployer peaked at ${run.peakRssMiB.toFixed(0)} MiB`);
  });

  for (const kind of ["service", "process"]) {
    test(`a ${kind} held back by an iterator nobody reads still stops at teardown`, async () => {
      const tag = uniqueTag();
      const run = await hydroInto(["run", fixture("flood-unread.hydro.ts"), "--", tag, kind], {});
      assert.equal(run.exitCode, 0, run.stderr);
      assert.match(run.stdout, /^returning$/m);
      assert.match(run.stderr, /^✔ teardown/m);
      assert.deepEqual(processesMatching(tag), []);
    });
  }

  test("a reader that goes away (| head -1) ends the run quietly with exit code 141, leaving nothing running", async () => {
    const tag = uniqueTag();
    const run = await hydroInto(["run", fixture("flood.hydro.ts"), "--", "100000000", "20", tag], { closeAfterFirstLine: true });
    assert.equal(run.exitCode, 141, run.stderr);
    assert.doesNotMatch(run.stderr, /error|EPIPE/i);
    assert.deepEqual(processesMatching(tag), []);
  });
});

describe("control lines are unforgeable", () => {
  test("a program's control lookalikes (a forged ready among them) are printed verbatim and never taken for control", async () => {
    const result = await hydro(["run", fixture("forger.hydro.ts")]);
    assert.equal(result.exitCode, 0, result.stderr);
    const printed = result.stdout.split("\n");
    for (const line of controlLookalikes) {
      assert.equal(
        printed.filter((printedLine) => printedLine === `[forger] ${line}`).length,
        2,
        `${JSON.stringify(line)} was not printed before and after connect()`,
      );
    }
    assert.ok(printed.includes("[forger] got 7"));
  });

  test("the control secret is gone from the program's environment before its code runs, and its children never see it", async () => {
    const result = await hydro(["run", fixture("forger.hydro.ts")]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^\[forger\] secret in my environment: false$/m);
    assert.match(result.stdout, /^\[forger\] child sees: nothing$/m);
  });
});
