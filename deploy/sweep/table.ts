import type { SweepRecord } from "./results-files.js";

/**
 * The records as aligned columns for a terminal: one line per record whatever its values hold
 * (a string with a line break or a tab is shown quoted and escaped); a column of numbers is
 * right-aligned, header included.
 */
export function formatTable(records: SweepRecord[], columns: string[]): string {
  const rows = records.map((record) => columns.map((column) => cellText(record[column])));
  const header = columns.map(cellText);
  const numeric = columns.map(
    (column) => records.some((record) => typeof record[column] === "number") && records.every((record) => typeof record[column] !== "string"),
  );
  const widths = columns.map((_, index) => Math.max(header[index]!.length, ...rows.map((row) => row[index]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((text, index) => (numeric[index] ? text.padStart(widths[index]!) : text.padEnd(widths[index]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].map((text) => `${text}\n`).join("");
}

function cellText(value: SweepRecord[string] | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "number") return formatNumber(value);
  const text = String(value);
  return /[\x00-\x1f\x7f]/.test(text) ? JSON.stringify(text) : text;
}

/** Six significant digits, enough to compare points by eye; the files keep every digit. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
