import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fixture, hydro, processesMatching, tempDir, uniqueTag, waitForLine } from "../helpers.js";
import { readCsvWithPython } from "../read-csv.js";
import { renderSvg } from "../render-svg.js";

/** A parameter value a CSV, a table, a step's name and a plot legend must all survive. */
const LABEL = 'hostile, "quoted"\nlabel';
const sweepArgs = (tag: string, ...flags: string[]) => ["--", fixture("pid-server.mjs"), tag, LABEL, ...flags];
/** `hydro run` of test/fixtures/sweep.hydro.ts in `cwd`: two points, each a real localhost server. */
const runSweep = (cwd: string, tag: string, ...flags: string[]) => hydro(["run", fixture("sweep.hydro.ts"), ...sweepArgs(tag, ...flags)], { cwd });
const calls = (cwd: string) => fs.readFileSync(path.join(cwd, "calls.log"), "utf8").split("\n").filter(Boolean);
const shownLabel = JSON.stringify(LABEL);
const point = (index: number, requests: number) => `${index}/2 requests=${requests} label=${shownLabel}`;
const TABLE = new RegExp(
  [
    `^requests  label {${shownLabel.length - 5}}  requests_per_s  replies`,
    `--------  -{${shownLabel.length}}  --------------  -------`,
    ...[2, 5].map((requests) => ` {7}${requests}  ${escape(shownLabel)}  +\\d+(\\.\\d+)?  +${requests}`),
  ].join("\n") + "$", // execa drops the final newline
);

function escape(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}

describe("hydro run of a sweep", () => {
  test("a 2-point sweep end to end: results.json, results.csv, the printed table, a plot that renders; each point's server gone before the next", async () => {
    const cwd = tempDir();
    const tag = uniqueTag();
    const result = await runSweep(cwd, tag);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(calls(cwd), ["2", "5"]);
    assert.deepEqual(processesMatching(tag), []);

    const records = JSON.parse(fs.readFileSync(path.join(cwd, "results", "results.json"), "utf8")) as Array<Record<string, unknown>>;
    assert.deepEqual(
      records.map(({ requests, label, replies }) => ({ requests, label, replies })),
      [
        { requests: 2, label: LABEL, replies: 2 },
        { requests: 5, label: LABEL, replies: 5 },
      ],
    );
    assert.ok(records.every((record) => typeof record.requests_per_s === "number" && record.requests_per_s > 0));
    assert.deepEqual(await readCsvWithPython(path.join(cwd, "results", "results.csv")), [
      ["requests", "label", "requests_per_s", "replies"],
      ...records.map((record) => ["requests", "label", "requests_per_s", "replies"].map((column) => String(record[column]))),
    ]);
    assert.match(result.stdout, TABLE, "the table alone on stdout, the label on one line");

    // Progress: each point a step with its i/n and what it measured, its deployment's steps beneath it.
    assert.match(result.stderr, new RegExp(`^✔ sweep tiny › ${escape(point(1, 2))} › deploy \\(\\d+ ms\\)$`, "m"));
    assert.match(result.stderr, new RegExp(`^✔ sweep tiny › ${escape(point(1, 2))} › teardown \\(\\d+ ms\\)$`, "m"));
    assert.match(result.stderr, new RegExp(`^✔ sweep tiny › ${escape(point(2, 5))} \\(\\d+ ms, requests_per_s=[\\d.]+ replies=5\\)$`, "m"));
    assert.match(result.stderr, /^✔ sweep tiny › plot \(\d+ ms, results\/plot\.svg\)$/m);
    assert.match(result.stderr, /^✔ sweep tiny \(\d+ ms, 2 run, 0 skipped: results\)$/m);

    const svg = path.join(cwd, "results", "plot.svg");
    assert.match(fs.readFileSync(svg, "utf8"), /^<svg /);
    const png = await renderSvg(svg, path.join(cwd, "plot.png"));
    assert.ok(png.width > 0 && png.height > 0 && png.bytes > 0, JSON.stringify(png));
  });

  test("a second run skips the points in results.json without calling run; --rerun (rerun: true) runs them again", async () => {
    const cwd = tempDir();
    const tag = uniqueTag();
    assert.equal((await runSweep(cwd, tag)).exitCode, 0);
    const before = fs.readFileSync(path.join(cwd, "results", "results.json"), "utf8");

    const again = await runSweep(cwd, tag);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual(calls(cwd), ["2", "5"], "run was not called again");
    for (const [index, requests] of [
      [1, 2],
      [2, 5],
    ] as const) {
      assert.match(again.stderr, new RegExp(`^↷ sweep tiny › ${escape(point(index, requests))} \\(in results\\.json\\)$`, "m"));
    }
    assert.match(again.stderr, /^✔ sweep tiny \(\d+ ms, 0 run, 2 skipped: results\)$/m);
    assert.doesNotMatch(again.stderr, /› deploy/);
    assert.match(again.stdout, TABLE);
    assert.equal(fs.readFileSync(path.join(cwd, "results", "results.json"), "utf8"), before);

    const rerun = await runSweep(cwd, tag, "--rerun");
    assert.equal(rerun.exitCode, 0, rerun.stderr);
    assert.deepEqual(calls(cwd), ["2", "5", "2", "5"]);
    assert.match(rerun.stderr, /^✔ sweep tiny \(\d+ ms, 2 run, 0 skipped: results\)$/m);
  });

  test("--json: each point's start and end are step events under the sweep, and the table is a log event", async () => {
    const result = await hydro(["run", "--json", fixture("sweep.hydro.ts"), ...sweepArgs(uniqueTag())]);
    assert.equal(result.exitCode, 0, result.stderr);
    const events = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; path?: string[]; status?: string; message?: string });
    const points = events.filter((event) => event.type === "step" && event.path!.length === 2 && event.path![0] === "sweep tiny");
    assert.deepEqual(
      points.map((event) => `${event.path![1]}: ${event.status}`),
      [`${point(1, 2)}: running`, `${point(1, 2)}: done`, `${point(2, 5)}: running`, `${point(2, 5)}: done`, "plot: running", "plot: done"],
    );
    assert.ok(events.some((event) => event.type === "log" && event.message?.startsWith("requests  label")));
  });

  test("a point that fails ends the run: exit 1 naming the point and where it threw, the table and files keep what there is, nothing left running", async () => {
    const cwd = tempDir();
    const tag = uniqueTag();
    const result = await runSweep(cwd, tag, "--fail-at", "5");
    assert.equal(result.exitCode, 1);
    assert.match(
      result.stderr,
      new RegExp(`^error: tiny: point ${escape(point(2, 5))} failed: failing at requests=5, as asked \\(at .*sweep\\.hydro\\.ts:\\d+:\\d+\\)$`, "m"),
    );
    assert.deepEqual(processesMatching(tag), []);
    const records = JSON.parse(fs.readFileSync(path.join(cwd, "results", "results.json"), "utf8")) as Array<Record<string, unknown>>;
    assert.deepEqual(
      records.map(({ requests, replies, error }) => ({ requests, replies, error })),
      [
        { requests: 2, replies: 2, error: undefined },
        { requests: 5, replies: undefined, error: "failing at requests=5, as asked" },
      ],
    );
    assert.match(result.stdout, /^requests  label .*  requests_per_s  replies  error\n/);
    assert.match(result.stdout, / {7}5  \S.*  failing at requests=5, as asked$/);
    assert.ok(!fs.existsSync(path.join(cwd, "results", "plot.svg")), "no plot of a sweep that failed");

    const fixed = await runSweep(cwd, tag);
    assert.equal(fixed.exitCode, 0, fixed.stderr);
    assert.deepEqual(calls(cwd), ["2", "5", "5"], "the failed point is redone, the done one skipped");
  });

  test("Ctrl-C during a point: exit 130, nothing left running, no later point started, and what the point measured while torn down is not kept as a result", async () => {
    const cwd = tempDir();
    const tag = uniqueTag();
    const child = runSweep(cwd, tag, "--hold-at", "2");
    await waitForLine(child, "holding at requests=2");
    child.kill("SIGINT");
    const result = await child;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.deepEqual(processesMatching(tag), []);
    assert.deepEqual(calls(cwd), ["2"]);
    assert.match(result.stderr, new RegExp(`^✖ sweep tiny › ${escape(point(1, 2))} \\(\\d+ ms\\): interrupted by Ctrl-C$`, "m"));
    // The process exits as soon as everything is torn down: the point's error record may or may not be written by then.
    const file = path.join(cwd, "results", "results.json");
    const records = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Array<Record<string, unknown>>) : [];
    assert.ok(
      records.every((record) => record.error === "interrupted by Ctrl-C"),
      JSON.stringify(records),
    );

    const after = await runSweep(cwd, tag);
    assert.equal(after.exitCode, 0, after.stderr);
    assert.deepEqual(calls(cwd), ["2", "2", "5"]);
  });
});
