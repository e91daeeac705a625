import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { repoRoot, fixture, cli, hydro, tempDir, processesMatching, eventually, uniqueTag, waitForLine } from "../helpers.js";

const example = (name: string) => path.join(repoRoot, "examples", "echo", name);

describe("hydro run on the echo examples", () => {
  test("echo: the client prints every round trip and the run exits 0", async () => {
    const result = await hydro(["run", example("echo.hydro.ts"), "--", "4"]);
    assert.equal(result.exitCode, 0, result.stderr);
    for (let seq = 0; seq < 4; seq++) {
      assert.match(result.stdout, new RegExp(`^\\[echo_client\\] echo ${seq}: \\d+\\.\\d+ ms round trip$`, "m"));
      assert.match(result.stdout, new RegExp(`^\\[echo_server\\] echo_client says: hello ${seq}$`, "m"));
    }
    assert.match(result.stdout, /^\[echo_client\] done: 4 echoes, mean round trip/m);
    assert.match(result.stderr, /^✔ deploy \(\d+ ms\)$/m);
    assert.match(result.stderr, /^✔ teardown/m);
  });

  test("echo_many: three clients merge into one server and each gets its own echoes back", async () => {
    const result = await hydro(["run", example("echo_many.hydro.ts"), "--", "3"]);
    assert.equal(result.exitCode, 0, result.stderr);
    for (const client of ["client-1", "client-2", "client-3"]) {
      assert.match(result.stdout, new RegExp(`^\\[${client}\\] done: 3 echoes`, "m"));
      for (let seq = 0; seq < 3; seq++) assert.match(result.stdout, new RegExp(`^\\[echo_server\\] ${client} says: hello ${seq}$`, "m"));
    }
  });

  test("piped output has no colour codes and no control lines", async () => {
    const result = await hydro(["run", example("echo.hydro.ts"), "--", "2"], { env: { NO_COLOR: "" } });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, /\u001b\[|\u0010/);
  });

  test("FORCE_COLOR colours service names even when piped, and NO_COLOR wins over it", async () => {
    const forced = await hydro(["run", example("echo.hydro.ts"), "--", "1"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } });
    assert.match(forced.stdout, /\u001b\[\d+m\[echo_client\]\u001b\[\d+m echo 0:/);
    const both = await hydro(["run", example("echo.hydro.ts"), "--", "1"], { env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    assert.doesNotMatch(both.stdout, /\u001b\[/);
  });

  test("--json prints one event per line", async () => {
    const result = await hydro(["run", "--json", example("echo.hydro.ts"), "--", "2"]);
    assert.equal(result.exitCode, 0, result.stderr);
    const events = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; path?: string[]; status?: string; service?: string; line?: string });
    assert.ok(events.some((event) => event.type === "step" && event.path?.join("/") === "deploy" && event.status === "done"));
    assert.ok(events.some((event) => event.type === "output" && event.service === "echo_client" && event.line?.startsWith("done: 2 echoes")));
    assert.ok(events.some((event) => event.type === "step" && event.path?.join("/") === "teardown" && event.status === "done"));
  });

  test("--json stdout carries only JSON: what the script prints becomes log events, and its failure an error event", async () => {
    const result = await hydro(["run", "--json", fixture("chatty.hydro.ts")]);
    assert.equal(result.exitCode, 1);
    const events = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; level?: string; message?: string; line?: string });
    const logs = events.filter((event) => event.type === "log").map(({ level, message }) => ({ level, message }));
    assert.deepEqual(logs.slice(0, 4), [
      { level: "info", message: "loading the config" },
      { level: "info", message: "deploying { services: 1 }" },
      { level: "warn", message: "careful now" },
      { level: "error", message: "something is off" },
    ]);
    assert.match(logs[4]!.message!, /│ a │/);
    assert.deepEqual(logs[5], { level: "info", message: "written to stdout directly" });
    const errors = events.filter((event) => event.type === "error");
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message!, /^the chatty script gave up/);
    assert.ok(events.some((event) => event.type === "output" && event.line === "relay connected"));
    assert.match(result.stderr, /^error: the chatty script gave up/m);
  });
});

describe("hydro run failures", () => {
  test("a script that throws exits 1 with its message and line on one line, and tears down", async () => {
    const result = await hydro(["run", fixture("throws.hydro.ts")]);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /^error: the experiment went wrong \(at \/.*\/throws\.hydro\.ts:7:\d+\)\n✔ teardown/m);
    assert.doesNotMatch(result.stderr, /node:internal/);
    assert.match(result.stderr, /✔ teardown/);
  });

  test("--verbose adds the stack", async () => {
    const result = await hydro(["run", "--verbose", fixture("throws.hydro.ts")]);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /error: Error: the experiment went wrong\n\s+at main/);
  });

  test("a throw in a callback of the script fails the run and tears down", async () => {
    const tag = uniqueTag();
    const result = await hydro(["run", fixture("throws-later.hydro.ts"), "--", tag]);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /^error: late failure in a timer \(at \/.*\/throws-later\.hydro\.ts:9:\d+\)\n/m);
    assert.match(result.stderr, /✔ teardown/);
    assert.deepEqual(processesMatching(tag), []);
  });

  test("an ssh() host whose port does not speak SSH gets a one-line error, not a crash", async () => {
    const server = net.createServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const key = path.join(tempDir(), "key");
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    try {
      const result = await hydro(["run", fixture("not-ssh.hydro.ts"), "--", String((server.address() as net.AddressInfo).port), key]);
      assert.equal(result.exitCode, 1);
      assert.match(result.stderr, /^error: cannot connect to ssh host "impostor" \(nobody@127\.0\.0\.1:\d+\): .+$/m);
      assert.doesNotMatch(result.stderr, /Unhandled 'error' event|node:events/);
    } finally {
      server.close();
    }
  });

  test("a missing config file is named", async () => {
    const result = await hydro(["run", "nowhere.hydro.ts"]);
    assert.equal(result.exitCode, 1);
    assert.equal(result.stderr.trim(), "error: config file not found: nowhere.hydro.ts");
  });

  test("a config without a default export is told what to export", async () => {
    const result = await hydro(["run", fixture("no-default.hydro.ts")]);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /no-default\.hydro\.ts must export a default function/);
  });

  const usageErrors: [string[], RegExp][] = [
    [["launch"], /unknown command 'launch'/],
    [["--bogus"], /unknown option '--bogus'/],
    [["run"], /missing required argument 'config'/],
    [["run", "--bogus", "x.hydro.ts"], /unknown option '--bogus'/],
    [["graph"], /missing required argument 'program'/],
    [["graph", "--bogus", "x.ts"], /unknown option '--bogus'/],
  ];
  for (const [args, message] of usageErrors) {
    test(`bad usage exits 2: hydro ${args.join(" ")}`, async () => {
      const result = await hydro(args);
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, message);
    });
  }

  test("a TypeScript syntax error in the config is one line with its file:line:column", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "broken.hydro.ts"), "export default async function main() {\n  const x = ;\n}\n");
    const result = await hydro(["run", "broken.hydro.ts"], { cwd: dir });
    assert.equal(result.exitCode, 1);
    assert.equal(result.stderr, 'error: cannot compile broken.hydro.ts: broken.hydro.ts:2:13: Unexpected ";"');
  });

  test("a TypeScript syntax error in a service is one line with its file:line:column", async () => {
    const result = await hydro(["run", fixture("syntax-error-service.hydro.ts")]);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /^error: service "syntax-error" on localhost: cannot bundle \S*syntax-error\.ts: \S*syntax-error\.ts:2:24: Unexpected ";"$/m);
    assert.equal(result.stderr.match(/Unexpected ";"/g)?.length, 2, "told by the failed step and by the error line, not by every step above it");
  });

  test("hydro graph reports a syntax error in one line, without esbuild's summary", async () => {
    const result = await hydro(["graph", fixture("syntax-error.ts")]);
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /^error: cannot compile \S+syntax-error\.ts: \S*syntax-error\.ts:2:24: Unexpected ";"$/);
  });

  test("a program that crashes before connect() fails in one line, without repeating what it printed", async () => {
    const result = await hydro(["run", fixture("crash-on-start.hydro.ts")]);
    assert.equal(result.exitCode, 1);
    assert.equal(result.stderr.match(/about to fail/g)?.length, 1, result.stderr);
    assert.equal(result.stderr.match(/Error: cannot read my settings/g)?.length, 1, result.stderr);
    assert.match(result.stderr, /^error: service "fragile" on localhost exited with code 1 while binding its ports$/m);
  });

  test("--help documents the exit codes", async () => {
    const result = await hydro(["--help"]);
    assert.equal(result.exitCode, 0);
    assert.match(result.stdout, /Exit codes:[\s\S]*130\s+interrupted/);
    assert.match(result.stdout, /141\s+the reader of hydro's output went away/);
  });
});

describe("nothing is left running", () => {
  test("Ctrl-C (SIGINT) tears down every service and process and exits 130", async () => {
    const tag = uniqueTag();
    const child = execa("node", [cli, "run", fixture("forever.hydro.ts"), "--", tag], { cwd: tempDir(), reject: false });
    await waitForLine(child, "deployed");
    assert.equal(processesMatching(tag).length >= 3, true, "services and the process are running");
    child.kill("SIGINT");
    const result = await child;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.match(result.stderr, /Ctrl-C: stopping everything/);
    assert.deepEqual(processesMatching(tag), []);
  });

  test("after Ctrl-C a script that deploys in a loop cannot start another deployment", async () => {
    const tag = uniqueTag();
    const child = execa("node", [cli, "run", fixture("redeploy-loop.hydro.ts"), "--", tag], { cwd: tempDir(), reject: false });
    await waitForLine(child, "round 1 deployed");
    const interruptedAt = Date.now();
    child.kill("SIGINT");
    const result = await child;
    assert.equal(result.exitCode, 130, result.stderr);
    // The slow teardown lasts 3 s; rounds start every ~0.2 s: none may start once Ctrl-C is in.
    const late = [...result.stdout.matchAll(/^round \d+ deployed at (\d+)$/gm)].filter((line) => Number(line[1]) > interruptedAt + 100);
    assert.deepEqual(
      late.map((line) => line[0]),
      [],
    );
    assert.deepEqual(processesMatching(tag), []);
  });

  test("Ctrl-C during restarts and fault changes: exit 130, no run of anything left, whenever it lands", async () => {
    for (const [round, delayMs] of [0, 150, 400].entries()) {
      const tag = uniqueTag();
      const child = execa("node", [cli, "run", fixture("restart-loop.hydro.ts"), "--", tag], { cwd: tempDir(), reject: false });
      await waitForLine(child, round === 0 ? "deployed" : "restart 2");
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill("SIGINT");
      const result = await child;
      assert.equal(result.exitCode, 130, `round ${round}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /^error:/m, `round ${round}: an interruption, not a failure`);
      assert.deepEqual(processesMatching(tag), [], `round ${round}: nothing left`);
    }
  });

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    test(`${signal} while tearing down after the script returned exits 130`, async () => {
      const child = execa("node", [cli, "run", fixture("stubborn.hydro.ts"), "--", "3000", "return"], { cwd: tempDir(), reject: false });
      await waitForLine(child, "[stubborn] stop requested");
      child.kill(signal);
      const result = await child;
      assert.equal(result.exitCode, 130, result.stderr);
    });
  }

  test("Ctrl-C during deploy reads as an interruption, not as the failure it caused", async () => {
    const child = execa("node", [cli, "run", fixture("never-accepts.hydro.ts")], { cwd: tempDir(), reject: false, env: { NO_COLOR: "1" } });
    await waitForLine(child, "[web] web starting");
    child.kill("SIGINT");
    const result = await child;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.match(result.stderr, /^✖ deploy › start › web \(\d+ ms\): interrupted by Ctrl-C$/m);
    assert.match(result.stderr, /^✖ deploy \(\d+ ms\)$/m);
    assert.doesNotMatch(result.stderr, /killed by|accepted connections|^error:/m);
  });

  test("a second Ctrl-C during teardown kills at once and leaves no run directory or socket", async () => {
    const child = execa("node", [cli, "run", fixture("stubborn.hydro.ts"), "--", "60000"], { cwd: tempDir(), reject: false });
    await waitForLine(child, "deployed");
    const runDirs = () => fs.readdirSync(os.tmpdir()).filter((entry) => entry.startsWith(`hydro-${child.pid}-`));
    const [runDir] = runDirs();
    assert.ok(runDir && fs.readdirSync(path.join(os.tmpdir(), runDir)).some((entry) => entry.endsWith(".sock")), "the port's socket is in the run directory");
    child.kill("SIGINT");
    await waitForLine(child, "[stubborn] stop requested");
    child.kill("SIGINT");
    const result = await child;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.deepEqual(runDirs(), []);
  });

  test("the run directory a killed CLI left behind is removed by the next run", async () => {
    const child = execa("node", [cli, "run", fixture("forever.hydro.ts"), "--", uniqueTag()], { cwd: tempDir(), reject: false });
    await waitForLine(child, "deployed");
    const orphan = path.join(
      os.tmpdir(),
      fs.readdirSync(os.tmpdir()).find((entry) => entry.startsWith(`hydro-${child.pid}-`))!,
    );
    child.kill("SIGKILL");
    await child;
    assert.ok(fs.existsSync(orphan));
    assert.equal((await hydro(["run", example("echo.hydro.ts"), "--", "1"])).exitCode, 0);
    assert.equal(fs.existsSync(orphan), false, `${orphan} is still there`);
  });

  test("kill -9 of the CLI ends a service that has not called connect() yet", async () => {
    const tag = uniqueTag();
    const child = execa("node", [cli, "run", fixture("slow-start.hydro.ts"), "--", tag], { cwd: tempDir(), reject: false });
    // The line proves the service is running, before any connect().
    await waitForLine(child, "starting slowly");
    child.kill("SIGKILL");
    await child;
    await eventually(() => processesMatching(tag).length === 0, 5_000, "the starting service to exit");
  });

  test("kill -9 of the CLI ends every service and process within 5 s (stdin EOF)", async () => {
    const tag = uniqueTag();
    const child = execa("node", [cli, "run", fixture("forever.hydro.ts"), "--", tag], { cwd: tempDir(), reject: false });
    await waitForLine(child, "deployed");
    assert.ok(processesMatching(tag).length >= 3);
    child.kill("SIGKILL");
    await child;
    await eventually(() => processesMatching(tag).length === 0, 5_000, "every deployed process to exit");
  });
});
