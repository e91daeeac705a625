import { test } from "node:test";
import assert from "node:assert/strict";
import { formatTable } from "./table.js";

test("aligned columns: numbers right-aligned with their header, text left-aligned, a missing value blank", () => {
  const table = formatTable(
    [
      { server: "kvs", clients: 10, throughput: 123456.789 },
      { server: "redis-server", clients: 50, throughput: 7 },
      { server: "kvs", clients: 100 },
    ],
    ["server", "clients", "throughput"],
  );
  assert.equal(
    table,
    [
      "server        clients  throughput",
      "------------  -------  ----------",
      "kvs                10      123457",
      "redis-server       50           7",
      "kvs               100",
      "",
    ].join("\n"),
  );
});

test("one line per record whatever its values hold: line breaks and tabs are shown escaped", () => {
  const table = formatTable([{ label: 'a, "b"\nc\td', n: 1 }], ["label", "n"]);
  assert.equal(table.split("\n").length, 4);
  assert.match(table, /^"a, \\"b\\"\\nc\\td"  1$/m);
});
