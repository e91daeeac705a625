import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { addReporter, type DeployEvent } from "../events.js";
import { ConfigError } from "../errors.js";
import type { Deployment } from "../deployment.js";
import { fixture, processesMatching, tempDir, uniqueTag } from "../../test/helpers.js";
import { readCsvWithPython } from "../../test/read-csv.js";
import { askPid } from "../../test/fixtures/ask-pid.js";
import { sweep, SweepPointError } from "./sweep.js";

// The table sweep() prints goes to this file's stdout among the test runner's output: test/e2e/sweep.test.ts checks it.

// Every event of these sweeps, instead of plain lines on stderr.
const events: DeployEvent[] = [];
after(addReporter((event) => void events.push(event)));
const stepsUnder = (root: string) =>
  events.flatMap((event) =>
    event.type === "step" && event.path[0] === root ? [{ path: event.path.slice(1).join(" › "), status: event.status, detail: event.detail }] : [],
  );

const root = tempDir();
let dirs = 0;
/** A results directory of its own (not there yet: sweep() makes it). */
const freshOut = () => path.join(root, `results-${++dirs}`);
const readJson = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "results.json"), "utf8")) as unknown;
/** The error `work` rejects with. */
const failure = (work: Promise<unknown>) =>
  work.then(
    () => assert.fail("expected the sweep to fail"),
    (error: unknown) => error as Error,
  );

/** A point's run on a real localhost process: deploys a server, asks it `requests` times for its pid. */
function serverRun(tag: string, pids: number[]) {
  return async (point: { requests: number }, d: Deployment) => {
    assert.deepEqual(processesMatching(tag), [], "the previous point's server is gone before this point starts");
    const server = d.process({
      name: "pid-server",
      command: [process.execPath, fixture("pid-server.mjs"), "{port:main}", tag],
      ports: { main: 0 },
      on: d.localhost(),
    });
    await d.deploy();
    const started = performance.now();
    for (let n = 0; n < point.requests; n++) pids.push(await askPid(server.address("main")));
    return { requests_per_s: point.requests / ((performance.now() - started) / 1000), replies: point.requests };
  };
}

describe("sweep() over real localhost deployments", () => {
  test("a 2-point sweep: a deployment per point, torn down before the next; records in grid order; files, plot and progress", async () => {
    const tag = uniqueTag();
    const out = freshOut();
    const pids: number[] = [];
    const result = await sweep({ name: "tiny", grid: { requests: [2, 3] }, out, run: serverRun(tag, pids), plot: { x: "requests", y: "requests_per_s" } });
    assert.deepEqual(processesMatching(tag), [], "the last point's server is gone too");
    assert.deepEqual(
      result.map(({ requests, replies }) => ({ requests, replies })),
      [
        { requests: 2, replies: 2 },
        { requests: 3, replies: 3 },
      ],
    );
    assert.ok(result.every((record) => Number.isFinite(record.requests_per_s) && record.requests_per_s > 0));
    assert.equal(new Set(pids).size, 2, "each point had a server of its own");

    assert.deepEqual(readJson(out), result);
    const csv = await readCsvWithPython(path.join(out, "results.csv"));
    assert.deepEqual(csv, [
      ["requests", "requests_per_s", "replies"],
      ...result.map((record) => [String(record.requests), String(record.requests_per_s), String(record.replies)]),
    ]);
    assert.match(fs.readFileSync(path.join(out, "plot.svg"), "utf8"), /^<svg [^>]*>.*tiny: requests_per_s by requests/s);

    const steps = stepsUnder("sweep tiny");
    const point1 = "1/2 requests=2";
    assert.deepEqual(
      steps.filter((step) => !step.path.includes("›")).map(({ path, status }) => `${path || "(sweep)"} ${status}`),
      ["(sweep) running", `${point1} running`, `${point1} done`, "2/2 requests=3 running", "2/2 requests=3 done", "plot running", "plot done", "(sweep) done"],
    );
    assert.match(steps.find((step) => step.path === point1 && step.status === "done")!.detail!, /^requests_per_s=[\d.]+ replies=2$/);
    // The point's deployment reports under the point, not as a deploy of its own at the root.
    for (const nested of [`${point1} › deploy`, `${point1} › deploy › start › pid-server`, `${point1} › teardown`]) {
      assert.ok(
        steps.some((step) => step.path === nested && step.status === "done"),
        nested,
      );
    }
    assert.ok(!events.some((event) => event.type === "step" && event.path[0] === "deploy"));
    assert.equal(steps.at(-1)!.detail, `2 run, 0 skipped: ${out}`, "a directory outside the working directory is shown whole");
  });

  test("a point whose run throws stops the sweep: its error is recorded, earlier points kept, its deployment torn down; the next sweep redoes it", async () => {
    const tag = uniqueTag();
    const out = freshOut();
    const called: number[] = [];
    const error = await failure(
      sweep({
        name: "failing",
        grid: { n: [1, 2, 3] },
        out,
        run: async (point, d) => {
          called.push(point.n);
          if (point.n === 2) {
            d.process({ command: `sleep 1000; : ${tag}`, on: d.localhost() });
            await d.deploy();
            throw new Error('the workload failed, "badly"');
          }
          return { doubled: point.n * 2 };
        },
      }),
    );
    assert.deepEqual(called, [1, 2], "the sweep stopped at the failed point");
    assert.deepEqual(processesMatching(tag), [], "the failed point's deployment was torn down");
    assert.ok(error instanceof SweepPointError);
    assert.equal(error.message, 'failing: point 2/3 n=2 failed: the workload failed, "badly"');
    assert.deepEqual(error.point, { n: 2 });
    assert.match(error.stack!.split("\n")[1]!, /sweep\.test\.ts:\d+:\d+/, "its frames are where the run threw");
    assert.deepEqual(readJson(out), [
      { n: 1, doubled: 2 },
      { n: 2, error: 'the workload failed, "badly"' },
    ]);
    assert.deepEqual(await readCsvWithPython(path.join(out, "results.csv")), [
      ["n", "doubled", "error"],
      ["1", "2", ""],
      ["2", "", 'the workload failed, "badly"'],
    ]);
    assert.ok(
      stepsUnder("sweep failing").some((step) => step.path === "2/3 n=2" && step.status === "failed" && step.detail === 'the workload failed, "badly"'),
    );

    called.length = 0;
    const result = await sweep({ name: "failing", grid: { n: [1, 2, 3] }, out, run: async (point) => (called.push(point.n), { doubled: point.n * 2 }) });
    assert.deepEqual(called, [2, 3], "the done point is skipped, the failed one redone");
    assert.deepEqual(
      result,
      [1, 2, 3].map((n) => ({ n, doubled: n * 2 })),
    );
  });
});

describe("sweep() results on disk", () => {
  const counting = (calls: unknown[]) => async (point: { label: string; n: number }) => (calls.push(point), { value: point.n * 10 });
  const HOSTILE = 'comma, "quotes"\nnewline';

  test("re-running skips the points already in results.json (run is not called); rerun: true runs them all again", async () => {
    const out = freshOut();
    const grid = { label: [HOSTILE, "plain"], n: [1, 2] };
    const calls: unknown[] = [];
    await sweep({ name: "again", grid, out, run: counting(calls) });
    assert.equal(calls.length, 4);
    const first = fs.readFileSync(path.join(out, "results.json"), "utf8");

    calls.length = 0;
    const result = await sweep({ name: "again", grid, out, run: counting(calls) });
    assert.deepEqual(calls, [], "a hostile value matches its record after the round trip through results.json");
    assert.deepEqual(result, [
      { label: HOSTILE, n: 1, value: 10 },
      { label: HOSTILE, n: 2, value: 20 },
      { label: "plain", n: 1, value: 10 },
      { label: "plain", n: 2, value: 20 },
    ]);
    assert.equal(fs.readFileSync(path.join(out, "results.json"), "utf8"), first);
    const skipped = stepsUnder("sweep again").filter((step) => step.status === "skipped");
    assert.deepEqual(
      skipped.map(({ path, detail }) => `${path}: ${detail}`),
      [
        `1/4 label="comma, \\"quotes\\"\\nnewline" n=1: in results.json`,
        `2/4 label="comma, \\"quotes\\"\\nnewline" n=2: in results.json`,
        "3/4 label=plain n=1: in results.json",
        "4/4 label=plain n=2: in results.json",
      ],
    );

    await sweep({ name: "again", grid, out, run: counting(calls), rerun: true });
    assert.equal(calls.length, 4);
  });

  test("records of points no longer in the grid stay in the files, after the grid's; rerun: true starts the files afresh", async () => {
    const out = freshOut();
    const calls: unknown[] = [];
    await sweep({ grid: { label: ["a"], n: [1, 2] }, out, run: counting(calls) });
    const result = await sweep({ grid: { label: ["a"], n: [3, 2] }, out, run: counting(calls) });
    assert.deepEqual(result, [
      { label: "a", n: 3, value: 30 },
      { label: "a", n: 2, value: 20 },
    ]);
    assert.deepEqual(readJson(out), [...result, { label: "a", n: 1, value: 10 }]);
    await sweep({ grid: { label: ["a"], n: [3] }, out, run: counting(calls), rerun: true });
    assert.deepEqual(readJson(out), [{ label: "a", n: 3, value: 30 }]);
  });

  test("a corrupt results.json is refused before anything runs, naming the file; rerun: true ignores it", async () => {
    const out = freshOut();
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "results.json"), '[{"n": 1},');
    const calls: unknown[] = [];
    const error = await failure(sweep({ grid: { label: ["a"], n: [1] }, out, run: counting(calls) }));
    assert.ok(error instanceof ConfigError);
    assert.match(
      error.message,
      /results-\d+\/results\.json is not a sweep's results file \(.+\): delete it, or sweep with rerun: true \(e\.g\. --rerun\) to start afresh$/,
    );
    assert.deepEqual(calls, []);
    await sweep({ grid: { label: ["a"], n: [1] }, out, run: counting(calls), rerun: true });
    assert.deepEqual(readJson(out), [{ label: "a", n: 1, value: 10 }]);
  });
});

describe("sweep() refuses, in one line naming the field", () => {
  const ok = async () => ({ value: 1 });

  test("bad options, before anything runs", async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ grid: {} }, /sweep\(\): grid: no parameters/],
      [{ grid: { n: [] } }, /sweep\(\): grid\.n: no values/],
      [{ grid: { n: 5 } }, /sweep\(\): grid\.n: expected an array of values, got 5/],
      [{ out: "" }, /sweep\(\): out: expected the results directory/],
      [{ run: undefined }, /sweep\(\): run: expected a function/],
      [{ serie: ["n"] }, /sweep\(\): options: unknown option "serie"/],
      [{ plot: { x: "n", y: 3 } }, /sweep\(\): plot\.y: expected a column name/],
      [{ programMetrics: "yes" }, /sweep\(\): programMetrics: expected true or false/],
    ];
    for (const [change, message] of cases) {
      const error = await failure(sweep({ grid: { n: [1] }, out: freshOut(), run: ok, ...change } as never));
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, /^deploy\/sweep\/sweep\.test\.ts:\d+:\d+: /, "where the sweep() call is");
      assert.match(error.message, message);
      assert.ok(!error.message.includes("\n"));
    }
  });

  test("what a run returns: a non-object, a metric that is not a finite number, a metric named like a parameter", async () => {
    const cases: Array<[unknown, string]> = [
      [undefined, "run returned undefined, not an object of metrics such as { throughput: 1234 }"],
      [[1, 2], "run returned an array, not an object of metrics such as { throughput: 1234 }"],
      [{ throughput: Number.NaN }, "run returned throughput: NaN, not a finite number"],
      [{ throughput: Infinity }, "run returned throughput: Infinity, not a finite number"],
      [{ throughput: "1234" }, 'run returned throughput: "1234", not a finite number'],
      [{ n: 3 }, 'run returned "n", which is a parameter of the grid: name the metric otherwise'],
      [{ error: 1 }, 'run returned "error", which is where a failed point\'s error is recorded: name the metric otherwise'],
    ];
    for (const [returned, message] of cases) {
      const out = freshOut();
      const error = await failure(sweep({ name: "bad", grid: { n: [1, 2] }, out, run: async () => returned as never }));
      assert.ok(error instanceof SweepPointError, String(error));
      assert.equal(error.message, `bad: point 1/2 n=1 failed: ${message}`);
      assert.deepEqual(readJson(out), [{ n: 1, error: message }]);
    }
  });

  test("programMetrics: each program's peak RSS and mean CPU per point, as columns after run's own; a metric named like one fails the point", async () => {
    const out = freshOut();
    const busyFor = async (point: { ms: number }, d: Deployment) => {
      d.process({ name: "burner", command: "while :; do :; done", on: d.localhost() });
      d.service({ name: "relay", src: fixture("relay.ts"), on: d.localhost() });
      await d.deploy();
      await new Promise((resolve) => setTimeout(resolve, point.ms));
      return { waited: point.ms };
    };
    const result = await sweep({ name: "programs", grid: { ms: [1_600] }, out, run: busyFor, programMetrics: true });
    const [record] = result as unknown as Array<Record<string, number>>;
    // The parameter, run's metric, then the programs' (in the order they first reported).
    assert.deepEqual(Object.keys(record!).slice(0, 2), ["ms", "waited"]);
    assert.deepEqual(new Set(Object.keys(record!).slice(2)), new Set(["burner.peakRss", "burner.meanCpu", "relay.peakRss", "relay.meanCpu"]));
    assert.ok(record!["burner.meanCpu"]! > 0.3, `burner.meanCpu ${record!["burner.meanCpu"]}`);
    assert.ok(record!["relay.meanCpu"]! < 0.3, `relay.meanCpu ${record!["relay.meanCpu"]}`);
    assert.ok(record!["relay.peakRss"]! > 10 * 2 ** 20 && record!["burner.peakRss"]! > 0);
    assert.deepEqual(readJson(out), result);

    const clash = await failure(
      sweep({
        name: "clash",
        grid: { ms: [1_600] },
        out: freshOut(),
        run: async (point, d) => ({ ...(await busyFor(point, d)), "relay.peakRss": 1 }),
        programMetrics: true,
      }),
    );
    assert.match(clash.message, /run returned "relay\.peakRss", which programMetrics records: name the metric otherwise$/);
  });

  test("a plot naming a metric no run returns stops the sweep after the first point, which is kept", async () => {
    const out = freshOut();
    const calls: unknown[] = [];
    const error = await failure(sweep({ grid: { n: [1, 2] }, out, run: async (point) => (calls.push(point), { value: 1 }), plot: { x: "n", y: "valu" } }));
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /sweep\(\): plot\.y: "valu" is not a column of the results \(columns: n, value\)$/);
    assert.equal(calls.length, 1);
    assert.deepEqual(readJson(out), [{ n: 1, value: 1 }]);
  });
});
