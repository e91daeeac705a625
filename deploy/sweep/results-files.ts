import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { shownPath, writeAtomically } from "../paths.js";
import { ERROR_FIELD } from "./grid.js";

/** A point's parameters and what its run measured (or, for a failed point, its error). */
export type SweepRecord = Record<string, string | number | boolean>;

/** Results are the user's to share, like anything else a program writes (the umask still applies). */
const RESULTS_MODE = 0o644;

export const resultsFiles = (dir: string) => ({ json: path.join(dir, "results.json"), csv: path.join(dir, "results.csv"), svg: path.join(dir, "plot.svg") });

/** The records an earlier sweep left in `dir`: none if it has no results.json; a file that is not one is refused, naming it. */
export function readResults(dir: string): SweepRecord[] {
  const file = resultsFiles(dir).json;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const refuse = (why: string) =>
    new ConfigError(`${shownPath(file)} is not a sweep's results file (${why}): delete it, or sweep with rerun: true (e.g. --rerun) to start afresh`);
  let records: unknown;
  try {
    records = JSON.parse(text);
  } catch (error) {
    throw refuse((error as Error).message);
  }
  if (!Array.isArray(records)) throw refuse("expected an array of records");
  records.forEach((record: unknown, index) => {
    if (typeof record !== "object" || record === null || Array.isArray(record)) throw refuse(`record ${index} is not an object`);
  });
  return records as SweepRecord[];
}

/** Rewrites results.json and results.csv, each atomically: a crash leaves the previous complete file, never half of one. */
export async function writeResults(dir: string, records: SweepRecord[], parameters: string[]): Promise<void> {
  const files = resultsFiles(dir);
  await fs.promises.mkdir(dir, { recursive: true });
  await writeAtomically(files.json, `${JSON.stringify(records, null, 2)}\n`, RESULTS_MODE);
  await writeAtomically(files.csv, toCsv(records, columnsOf(records, parameters)), RESULTS_MODE);
}

/** Writes plot.svg (atomically, like the results) and returns its path. */
export async function writePlot(dir: string, svg: string): Promise<string> {
  const file = resultsFiles(dir).svg;
  await writeAtomically(file, svg, RESULTS_MODE);
  return file;
}

/** The parameters, then every other field in the order records first have it, the error last. */
export function columnsOf(records: SweepRecord[], parameters: string[]): string[] {
  const others = new Set<string>();
  for (const record of records) for (const field of Object.keys(record)) if (!parameters.includes(field) && field !== ERROR_FIELD) others.add(field);
  const failed = records.some((record) => ERROR_FIELD in record);
  return [...parameters, ...others, ...(failed ? [ERROR_FIELD] : [])];
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled; a missing field is empty. */
function toCsv(records: SweepRecord[], columns: string[]): string {
  const line = (fields: string[]) => `${fields.map(quoted).join(",")}\r\n`;
  return line(columns) + records.map((record) => line(columns.map((column) => (column in record ? String(record[column]) : "")))).join("");
}

const quoted = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field);
