import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { tempDir } from "../../test/helpers.js";
import { renderSvg } from "../../test/render-svg.js";
import { checkPlot, renderPlot } from "./plot.js";

const records = [1, 2, 3].flatMap((replicas) =>
  [10, 50].flatMap((clients) =>
    ["kvs", "redis"].map((server) => ({ replicas, clients, server, "p.99 [ms]": server === "kvs" ? replicas * clients : clients * 1.5 + replicas * 10 })),
  ),
);
const parameters = ["replicas", "clients", "server"];

test("plot.svg: metric against a parameter, one line per series combination, axes titled, a legend; it renders with rsvg-convert", async () => {
  const dir = tempDir();
  const chart = checkPlot({ x: "clients", y: "p.99 [ms]", series: ["server", "replicas"] }, records, parameters, "sweep()");
  const svg = await renderPlot(records, chart, "kvs: p.99 [ms] by clients");
  const file = path.join(dir, "plot.svg");
  fs.writeFileSync(file, svg);
  // A column name with dots and brackets is a path to vega-lite: it is plotted under a name of its own, titled with the user's.
  for (const text of ["kvs: p.99 [ms] by clients", "clients", "p.99 [ms]", "server, replicas", "kvs, 1", "redis, 3"]) {
    assert.ok(svg.includes(`>${text}</text>`), `the SVG shows "${text}"`);
  }
  assert.equal(svg.match(/aria-roledescription="line mark"/g)?.length, 6, "one line per (server, replicas)");
  assert.equal(svg.match(/aria-roledescription="legend"/g)?.length, 1);
  const png = await renderSvg(file, path.join(dir, "plot.png"));
  assert.ok(png.width > 400 && png.height > 250 && png.bytes > 5_000, JSON.stringify(png));
});

test("an x of text is ordinal, in the order the records have it; no series is one line and no legend", async () => {
  const chart = checkPlot(
    { x: "server", y: "p.99 [ms]" },
    records.filter((record) => record.replicas === 1 && record.clients === 10),
    parameters,
    "sweep()",
  );
  const svg = await renderPlot(
    records.filter((record) => record.replicas === 1 && record.clients === 10),
    chart,
    "by server",
  );
  assert.ok(svg.indexOf(">kvs</text>") < svg.indexOf(">redis</text>"));
  assert.equal(svg.match(/aria-roledescription="line mark"/g)?.length, 1);
  assert.ok(!svg.includes('aria-roledescription="legend"'));
});

test("a plot naming a column the results lack is refused with one line naming the field and the columns there are", () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ x: "client", y: "p.99 [ms]" }, /^sweep\(\): plot\.x: "client" is not a column of the results \(columns: replicas, clients, server, p\.99 \[ms\]\)$/],
    [{ x: "clients", y: "throughput" }, /^sweep\(\): plot\.y: "throughput" is not a column of the results/],
    [{ x: "clients", y: "p.99 [ms]", series: ["server", "replica"] }, /^sweep\(\): plot\.series\[1\]: "replica" is not a column/],
    [{ x: "clients", y: "server" }, /^sweep\(\): plot\.y: "server" holds no numbers$/],
    [{ x: "clients", y: "p.99 [ms]", series: [3] }, /^sweep\(\): plot\.series: expected a column name or an array of them$/],
    [{ y: "p.99 [ms]" }, /^sweep\(\): plot\.x: expected a column name$/],
  ];
  for (const [plot, message] of cases) {
    assert.throws(
      () => checkPlot(plot, records, parameters, "sweep()"),
      (error: Error) => error instanceof ConfigError && message.test(error.message),
      JSON.stringify(plot),
    );
  }
});

test("before any point has a result, a column that is not a parameter may yet be a metric: only the shape is checked", () => {
  const failedOnly = [{ replicas: 1, clients: 10, server: "kvs", error: "boom" }];
  assert.deepEqual(checkPlot({ x: "clients", y: "anything", series: "server" }, failedOnly, parameters, "sweep()"), {
    x: "clients",
    y: "anything",
    series: ["server"],
  });
});
