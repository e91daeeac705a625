/**
 * The one way benchmarks in this project compare hydro against a baseline: the two sides are
 * measured in the same run, interleaved A B A B…, and the ratio reported is the median of the
 * per-pair ratios a_i / b_i. A pair runs back to back, so a change in the machine's load moves
 * both of its samples and cancels out of the ratio; measuring all of one side first would not.
 */

/** One measurement: a number (ms, messages/s, …), synchronously or as a promise. */
export type Measure = () => number | Promise<number>;

export interface Interleaved {
  /** Median of the a samples. */
  a: number;
  /** Median of the b samples. */
  b: number;
  /** Median of the per-pair ratios a_i / b_i. */
  ratio: number;
  /** The per-pair ratios, in the order they were measured. */
  ratios: number[];
  aSamples: number[];
  bSamples: number[];
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error("median of no samples");
  const sorted = [...samples].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `warmup` untimed pairs, then `pairs` pairs a, b, a, b…; see `Interleaved`. */
export async function interleave({ pairs, a, b, warmup = 0 }: { pairs: number; a: Measure; b: Measure; warmup?: number }): Promise<Interleaved> {
  if (!(pairs >= 1)) throw new Error(`pairs must be at least 1, got ${pairs}`);
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const aSamples: number[] = [];
  const bSamples: number[] = [];
  for (let i = 0; i < pairs; i++) {
    aSamples.push(await a());
    bSamples.push(await b());
  }
  const ratios = aSamples.map((sample, i) => sample / bSamples[i]!);
  return { a: median(aSamples), b: median(bSamples), ratio: median(ratios), ratios, aSamples, bSamples };
}

/** Milliseconds that `run` takes (awaited when it returns a promise). */
export async function timeMs(run: () => unknown): Promise<number> {
  const started = performance.now();
  const result = run();
  if (result instanceof Promise) await result;
  return performance.now() - started;
}

/** A markdown table: columns of numbers (and ratios) right-aligned, the others left-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((row) => row[i] === "" || /^[-+]?\d/.test(row[i]!)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((width, i) => (numeric[i] ? `${"-".repeat(width + 1)}:` : "-".repeat(width + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** `0.97×`: how ratios are printed in every table. */
export const formatRatio = (ratio: number, digits = 2) => `${ratio.toFixed(digits)}×`;

/** A table's target cell: `≤ 1.2× met` or `≤ 1.2× MISSED`, empty without a limit. */
export const targetCell = (ratio: number, limit: number | undefined) =>
  limit === undefined ? "" : `≤ ${formatRatio(limit, limit * 10 === Math.round(limit * 10) ? 1 : 2)} ${ratio <= limit ? "met" : "MISSED"}`;
