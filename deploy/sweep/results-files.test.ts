import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { tempDir } from "../../test/helpers.js";
import { readCsvWithPython } from "../../test/read-csv.js";
import { columnsOf, readResults, resultsFiles, writeResults, type SweepRecord } from "./results-files.js";

const HOSTILE = 'comma, "quotes"\nand a newline\r\nand a CRLF';

test("results.csv: parameters first, then metrics, then the error; hostile values come back intact through Python's csv", async () => {
  const dir = path.join(tempDir(), "results");
  const records: SweepRecord[] = [
    { server: HOSTILE, clients: 10, throughput: 1234.5 },
    { server: "plain", clients: 50, latency: 0.25, throughput: 99 },
    { server: "plain", clients: 100, error: 'boom, "quoted"' },
  ];
  await writeResults(dir, records, ["server", "clients"]);
  assert.deepEqual(await readCsvWithPython(resultsFiles(dir).csv), [
    ["server", "clients", "throughput", "latency", "error"],
    [HOSTILE, "10", "1234.5", "", ""],
    ["plain", "50", "99", "0.25", ""],
    ["plain", "100", "", "", 'boom, "quoted"'],
  ]);
  assert.deepEqual(readResults(dir), records);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["results.csv", "results.json"], "no temporary file is left");
  const mode = fs.statSync(resultsFiles(dir).json).mode & 0o777;
  assert.equal(mode, 0o644 & ~process.umask(), "results are the user's to share, not private like .hydro");
});

test("columns: a parameter column comes first even where no record has it yet; no error column without a failure", () => {
  assert.deepEqual(columnsOf([{ b: 1, m: 2 }], ["a", "b"]), ["a", "b", "m"]);
});

test("no results.json is no records; one that is not a results file is refused, naming it and the way out", () => {
  const dir = tempDir();
  assert.deepEqual(readResults(path.join(dir, "absent")), []);
  const cases: Array<[string, RegExp]> = [
    ['[{"n": 1}', /\(.*JSON.*\)/],
    ['{"n": 1}', /\(expected an array of records\)/],
    ['[{"n": 1}, 3]', /\(record 1 is not an object\)/],
  ];
  for (const [text, why] of cases) {
    fs.writeFileSync(path.join(dir, "results.json"), text);
    assert.throws(
      () => readResults(dir),
      (error: Error) =>
        error instanceof ConfigError &&
        !error.message.includes("\n") &&
        error.message.startsWith(`${path.join(dir, "results.json")} is not a sweep's results file`) &&
        why.test(error.message) &&
        error.message.endsWith("delete it, or sweep with rerun: true (e.g. --rerun) to start afresh"),
      text,
    );
  }
});
