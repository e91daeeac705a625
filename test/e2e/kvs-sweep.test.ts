import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { cli, repoRoot, tempDir } from "../helpers.js";
import { renderSvg } from "../render-svg.js";
import { readCsvWithPython } from "../read-csv.js";

const sweepScript = path.join(repoRoot, "examples", "kvs", "sweep.hydro.ts");

test("examples/kvs/sweep.hydro.ts: 2 points (the store and redis-server) write results.json, results.csv, a table and a plot; a re-run skips them", async () => {
  const cwd = tempDir();
  const sweep = () =>
    execa("node", [cli, "run", sweepScript, "--", "--replicas", "1", "--clients", "5", "--requests", "3000", "--out", "out"], {
      cwd,
      reject: false,
      env: { NO_COLOR: "1" },
      timeout: 180_000,
    });
  const first = await sweep();
  assert.equal(first.exitCode, 0, first.stderr);

  const records = JSON.parse(fs.readFileSync(path.join(cwd, "out", "results.json"), "utf8")) as Array<Record<string, unknown>>;
  assert.deepEqual(
    records.map(({ server, replicas, clients }) => ({ server, replicas, clients })),
    [
      { server: "kvs", replicas: 1, clients: 5 },
      { server: "redis-server", replicas: 1, clients: 5 },
    ],
  );
  for (const record of records)
    for (const metric of ["set", "get", "throughput"]) assert.ok(Number(record[metric]) > 0, `${record.server} ${metric}: ${record[metric]}`);

  const csv = await readCsvWithPython(path.join(cwd, "out", "results.csv"));
  assert.deepEqual(csv[0], ["server", "replicas", "clients", "set", "get", "throughput"]);
  assert.deepEqual(
    csv.slice(1).map((row) => row[0]),
    ["kvs", "redis-server"],
  );
  assert.match(first.stdout, /^server\s+replicas\s+clients\s+set\s+get\s+throughput$/m);
  assert.match(first.stdout, /^redis-server\s+1\s+5\s+\d/m);

  const png = await renderSvg(path.join(cwd, "out", "plot.svg"), path.join(cwd, "plot.png"));
  assert.ok(png.width > 200 && png.height > 100, `plot is ${png.width}×${png.height}`);
  const svg = fs.readFileSync(path.join(cwd, "out", "plot.svg"), "utf8");
  for (const label of ["clients", "throughput", "kvs, 1", "redis-server, 1"]) assert.ok(svg.includes(label), `the plot shows '${label}'`);

  const again = await sweep();
  assert.equal(again.exitCode, 0, again.stderr);
  assert.doesNotMatch(again.stdout + again.stderr, /redis-benchmark/, "nothing was benchmarked again");
  assert.match(again.stderr, /0 run, 2 skipped/);
});
