import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import { once } from "node:events";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { chromium, type Browser, type Page } from "playwright-core";
import { cli, fixture, hydro, tempDir } from "../helpers.js";

// The web view in a real browser: Debian's chromium, headless, driven by playwright-core.
const CHROMIUM = "/usr/bin/chromium";
let browser: Browser | undefined;
after(async () => {
  await browser?.close();
});

/** `hydro run --ui ui.hydro.ts -- <dir> [many]`, until it prints the web view's URL. */
async function runWithUi(many = false): Promise<{ run: ResultPromise; url: string; dir: string; stop: () => Promise<void> }> {
  const dir = tempDir();
  const run = execa("node", [cli, "run", "--ui", fixture("ui.hydro.ts"), "--", dir, ...(many ? ["many"] : [])], {
    cwd: tempDir(),
    reject: false,
    env: { NO_COLOR: "1" },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    run.stderr!.on("data", (chunk: Buffer) => {
      const found = /^web view: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)$/m.exec((seen += chunk.toString()));
      if (found) resolve(found[1]!);
    });
    void run.then((result) => reject(new Error(`hydro run ended before printing the web view's URL:\n${result.stderr}`)));
  });
  const stop = async () => {
    fs.writeFileSync(path.join(dir, "stop"), "");
    const result = await run;
    assert.equal(result.exitCode, 0, String(result.stderr));
  };
  return { run, url, dir, stop };
}

async function newPage(): Promise<Page> {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on("pageerror", (error) => assert.fail(`the page threw: ${error.message}`));
  return page;
}

/** The program rows' text, by program name. */
async function programRows(page: Page): Promise<Record<string, string>> {
  const rows = await page.$$eval("#programs tr", (trs) => trs.map((tr) => [tr.getAttribute("data-program") ?? "", tr.textContent ?? ""]));
  return Object.fromEntries(rows);
}

describe("the web view (hydro run --ui)", () => {
  test("shows echo_many's programs, hosts, edges, metrics, output and timeline live; a restart shows up", async () => {
    const { url, dir, stop } = await runWithUi();
    const page = await newPage();
    try {
      await page.goto(url);
      await page.waitForFunction(() => document.querySelectorAll("#programs tr").length === 4, undefined, { timeout: 30_000 });
      assert.equal(await page.textContent("#title"), "echo_many");
      // The clients ping 20 times and exit 0; the server runs on, and its CPU and RSS get sparklines.
      await page.waitForFunction(
        () => {
          const text = document.querySelector("#programs")!.textContent!;
          return /client-3localhostexited 0/.test(text) && document.querySelectorAll('#programs tr[data-program="echo_server"] polyline').length === 2;
        },
        undefined,
        { timeout: 30_000 },
      );
      const rows = await programRows(page);
      assert.match(rows.echo_server!, /^echo_serverlocalhostrunning.*\d+%.*\d+ MB.*inbound ⇤ \d+\/s, outbound ⇥ \d+\/s$/);
      assert.deepEqual(Object.keys(rows).sort(), ["client-1", "client-2", "client-3", "echo_server"]);
      const edges = await page.$$eval("#edges tr", (trs) =>
        trs.map((tr) =>
          Array.from(tr.querySelectorAll("td"))
            .map((td) => td.textContent)
            .join(" | "),
        ),
      );
      assert.ok(edges.includes("client-2.outbound → echo_server.inbound | merge | unix socket"), edges.join("\n"));
      assert.ok(edges.includes("echo_server.outbound → client-3.inbound | demux | unix socket"), edges.join("\n"));

      // Output, and its filter.
      assert.match((await page.textContent("#output"))!, /^\[client-1\] echo 19: [\d.]+ ms round trip$/m);
      await page.fill("#filter", "client-2] echo 1");
      await page.waitForFunction(() => document.querySelector("#output")!.textContent!.split("\n").length === 11);
      const filtered = (await page.textContent("#output"))!.split("\n");
      assert.ok(
        filtered.every((line) => line.includes("client-2] echo 1")),
        filtered.join("\n"),
      );
      await page.fill("#filter", "");

      // A restart, as it happens: client-1 runs again (run 2), and the timeline says so.
      fs.writeFileSync(path.join(dir, "restart"), "");
      await page.waitForFunction(() => /run 2/.test(document.querySelector('#programs tr[data-program="client-1"]')!.textContent!), undefined, {
        timeout: 30_000,
      });
      assert.match((await page.textContent("#timeline"))!, /client-1: restart \(run 2\)/);
    } finally {
      await page.close();
      await stop();
    }
  });

  test("without the token, with a wrong one, or under another host name: 403; it listens on 127.0.0.1 alone", async () => {
    const { run, url, stop } = await runWithUi();
    try {
      const { origin, port } = new URL(url);
      const token = new URL(url).searchParams.get("token")!;
      for (const asked of [
        `${origin}/`,
        `${origin}/events`,
        `${origin}/?token=`,
        `${origin}/?token=${token.slice(0, -1)}x`,
        `${origin}/events?token=${token}x`,
      ]) {
        assert.equal((await fetch(asked)).status, 403, asked);
      }
      // A page elsewhere that got its name resolved to 127.0.0.1 (DNS rebinding) sends its own Host.
      const rebound = await new Promise<number>((resolve, reject) => {
        const request = http.get({ host: "127.0.0.1", port: Number(port), path: `/?token=${token}`, headers: { host: `evil.example:${port}` } }, (response) => {
          response.resume();
          resolve(response.statusCode!);
        });
        request.on("error", reject);
      });
      assert.equal(rebound, 403);
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /^<!doctype html>/);

      // Every TCP socket the deployer listens on is on 127.0.0.1.
      const { stdout } = await execa("ss", ["-Hltnp"]);
      const mine = stdout.split("\n").filter((line) => line.includes(`pid=${run.pid},`));
      assert.ok(mine.length >= 1, stdout);
      for (const line of mine) assert.match(line.split(/\s+/)[3]!, /^127\.0\.0\.1:\d+$/, line);
    } finally {
      await stop();
    }
  });

  test("--ui-port: not a port is a usage error; a port taken fails the run in one line, before anything starts", async () => {
    const bad = await hydro(["run", "--ui-port", "0", fixture("ui.hydro.ts")]);
    assert.equal(bad.exitCode, 2);
    assert.equal(bad.stderr.trim(), "error: --ui-port 0: expected a TCP port, 1 to 65535");
    const taken = net.createServer().listen(0, "127.0.0.1");
    await once(taken, "listening");
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const busy = await hydro(["run", "--ui-port", String(port), fixture("ui.hydro.ts"), "--", tempDir()]);
      assert.equal(busy.exitCode, 1);
      assert.match(busy.stderr, new RegExp(`^error: --ui: cannot serve the web view on 127\\.0\\.0\\.1:${port}: listen EADDRINUSE`, "m"));
      assert.doesNotMatch(busy.stdout, /deployed/);
    } finally {
      taken.close();
    }
  });

  test("a deployment of 100 programs: every one shows, with its state, and the page keeps up", async () => {
    const { url, stop } = await runWithUi(true);
    const page = await newPage();
    try {
      await page.goto(url);
      await page.waitForFunction(() => document.querySelectorAll("#programs tr").length === 100, undefined, { timeout: 60_000 });
      await page.waitForFunction(() => document.querySelectorAll("#programs .state.running").length === 100, undefined, { timeout: 60_000 });
      // Their metrics arrive: a process()'s CPU and RSS, sampled by its watchdog.
      await page.waitForFunction(() => document.querySelectorAll("#programs polyline").length === 200, undefined, { timeout: 60_000 });
      assert.match((await programRows(page))["sleeper-99"]!, /^sleeper-99localhostrunning/);
    } finally {
      await page.close();
      await stop();
    }
  });
});
