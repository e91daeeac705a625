import path from "node:path";
import { callsite, formatCallsite } from "../callsite.js";
import { Deployment } from "../deployment.js";
import { HostPool } from "../pool/host-pool.js";
import { ConfigError, TornDownError } from "../errors.js";
import { emit, interruptedBy, step } from "../events.js";
import { ERROR_FIELD, describePoint, describeValue, gridPoints, isRecordOf, type Grid, type Point } from "./grid.js";
import { checkPlot, renderPlot, type PlotOptions } from "./plot.js";
import { columnsOf, readResults, writePlot, writeResults, type SweepRecord } from "./results-files.js";
import { shownPath } from "../paths.js";
import { formatNumber, formatTable } from "./table.js";
import { programColumns } from "./program-metrics.js";

/** What a point's run measured: metric name → a finite number. */
export type Metrics = Record<string, number>;

export interface SweepOptions<G extends Grid, M extends Metrics, H = undefined> {
  /** Parameter → the values to try; every combination is a point, the first parameter changing slowest. */
  grid: G;
  /** The directory (relative to the working directory) for results.json, results.csv and plot.svg. */
  out: string;
  /**
   * Declares the hosts every point uses, once, on a HostPool: they are launched by the first point
   * and kept until the sweep ends (a cloud VM boots once); `run` gets what this returns.
   */
  hosts?: (pool: HostPool) => H;
  /**
   * Deploys on `d`, a fresh Deployment for this point alone (given the sweep's host pool), measures,
   * and returns the metrics. sweep() tears `d` down afterwards, also when `run` throws.
   */
  run: (point: Point<G>, d: Deployment, hosts: H) => M | Promise<M>;
  /** Draws plot.svg: metric `y` against column `x`, one line per combination of the `series` columns. */
  plot?: PlotOptions;
  /** Runs every point again and starts the files afresh; by default a point already in out/results.json is skipped and its record kept. */
  rerun?: boolean;
  /** The title of the progress, the plot, and the error of a failed point. */
  name?: string;
  /**
   * Also records, per point, each program's peak RSS and mean CPU from its metrics (deploy/metrics/):
   * the columns `<program>.peakRss` (bytes) and `<program>.meanCpu` (share of one core).
   */
  programMetrics?: boolean;
}

/** A failed point's run: the sweep stopped there, after recording the error and tearing the point's deployment down. */
export class SweepPointError extends Error {
  override name = "SweepPointError";

  constructor(
    readonly point: Point,
    message: string,
    cause: unknown,
  ) {
    super(message, { cause });
    // The frames of where the run threw, so the CLI's "(at file:line)" names that line, not sweep()'s.
    const frames = cause instanceof Error ? cause.stack?.split("\n").filter((line) => /^\s+at /.test(line)) : undefined;
    if (frames?.length) this.stack = [`${this.name}: ${message}`, ...frames].join("\n");
  }
}

const OPTIONS = ["grid", "out", "hosts", "run", "plot", "rerun", "name", "programMetrics"];

/**
 * Runs `run` once per point of the grid, in order, each on its own Deployment torn down before the
 * next point starts. Each point is a step of the progress tree; results.json and results.csv are
 * rewritten after every point, so a crash loses at most the running one; at the end a table goes to
 * stdout and the plot to plot.svg. A point whose run throws stops the sweep: its error is recorded,
 * the points before it are kept, and a SweepPointError naming it is thrown.
 */
export async function sweep<G extends Grid, M extends Metrics, H = undefined>(options: SweepOptions<G, M, H>): Promise<Array<Point<G> & M>> {
  const site = callsite();
  const where = `${site ? `${formatCallsite(site)}: ` : ""}sweep()`;
  const { grid, out, hosts, run, plot, rerun = false, name, programMetrics = false } = checkOptions(options, where);
  const points = gridPoints(grid, where);
  const parameters = Object.keys(grid);
  const dir = path.resolve(out);
  const title = name ?? "sweep";
  const previous = rerun ? [] : readResults(dir);
  /** Each point's latest record: measured now, or by an earlier sweep (skipped unless it failed). */
  const outcomes: Array<SweepRecord | undefined> = points.map((point) => previous.findLast((record) => isRecordOf(record, point)));
  /** Records of points no longer in the grid are measurements too: they stay in the files, after the grid's. */
  const others = previous.filter((record) => !points.some((point) => isRecordOf(record, point)));
  const current = () => [...outcomes.filter((record) => record !== undefined), ...others];
  if (plot) checkPlot(plot, current(), parameters, where);

  const root = [name ? `sweep ${name}` : "sweep"];
  const pool = new HostPool({ name: safeName(`${title}-hosts`) }, root);
  const declared = hosts ? hosts(pool) : (undefined as H);
  let ran = 0;
  const runPoints = async () => {
    for (const [index, point] of points.entries()) {
      const label = `${index + 1}/${points.length} ${describePoint(point)}`;
      const earlier = outcomes[index];
      if (earlier && !(ERROR_FIELD in earlier)) {
        emit({ type: "step", path: [...root, label], status: "skipped", detail: "in results.json" });
        continue;
      }
      // After Ctrl-C the CLI is tearing down what is live: a point started now would outlive it.
      const interruption = interruptedBy();
      if (interruption) throw new TornDownError(title, `${title}: point ${label}`, `the run was ${interruption}`);
      try {
        const deployment = new Deployment({ name: deploymentName(point), hosts: pool }, [...root, label]);
        const measure = () => run({ ...point }, deployment, declared);
        outcomes[index] = await step([...root, label], () => runPoint(point, deployment, measure, parameters, programMetrics), describeMetrics(parameters));
        ran++;
      } catch (error) {
        const message = interruptedBy() ?? (error instanceof Error ? error.message : String(error));
        outcomes[index] = { ...point, [ERROR_FIELD]: message };
        await writeResults(dir, current(), parameters);
        throw new SweepPointError(point, `${title}: point ${label} failed: ${message}`, error);
      }
      await writeResults(dir, current(), parameters);
      if (plot) checkPlot(plot, current(), parameters, where);
    }
  };
  // The hosts go as soon as the points are done (cloud VMs are billed meanwhile), before the plot.
  const runAll = async () => {
    await runPoints().finally(() => pool.release());
    if (plot) {
      const chart = checkPlot(plot, current(), parameters, where);
      const svg = async () => writePlot(dir, await renderPlot(current(), chart, `${title}: ${chart.y} by ${chart.x}`));
      await step([...root, "plot"], svg, (file) => ({ detail: shownPath(file) }));
    }
  };
  try {
    await step(root, runAll, () => ({ detail: `${ran} run, ${points.length - ran} skipped: ${shownPath(dir)}` }));
  } finally {
    // Also after a failure: the table shows what there is, the failed point with its error.
    const records = current();
    if (records.length) process.stdout.write(formatTable(records, columnsOf(records, parameters)));
  }
  return outcomes as Array<Point<G> & M>;
}

async function runPoint(
  point: Point,
  d: Deployment,
  measure: () => Metrics | Promise<Metrics>,
  parameters: string[],
  programMetrics: boolean,
): Promise<SweepRecord> {
  // Read from before deploy() until the teardown ends it.
  const programs = programMetrics ? programColumns(d.metrics()) : Promise.resolve({});
  let metrics: Metrics;
  try {
    metrics = checkMetrics(await measure(), parameters);
  } finally {
    await d.teardown();
  }
  // Ctrl-C tore the point's deployment down under its run: what it measured then is no result.
  const interruption = interruptedBy();
  if (interruption) throw new TornDownError(d.name, "its measurements", `the run was ${interruption}`);
  const recorded = await programs;
  const clash = Object.keys(metrics).find((metric) => metric in recorded);
  if (clash) throw new ConfigError(`run returned "${clash}", which programMetrics records: name the metric otherwise`);
  return { ...point, ...metrics, ...recorded };
}

/** What run returned, if it is metrics: an object of finite numbers, none named like a parameter or the error. */
function checkMetrics(returned: unknown, parameters: string[]): Metrics {
  if (typeof returned !== "object" || returned === null || Array.isArray(returned)) {
    throw new ConfigError(`run returned ${describeValue(returned)}, not an object of metrics such as { throughput: 1234 }`);
  }
  for (const [metric, value] of Object.entries(returned)) {
    if (parameters.includes(metric)) throw new ConfigError(`run returned "${metric}", which is a parameter of the grid: name the metric otherwise`);
    if (metric === ERROR_FIELD)
      throw new ConfigError(`run returned "${ERROR_FIELD}", which is where a failed point's error is recorded: name the metric otherwise`);
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new ConfigError(`run returned ${metric}: ${describeValue(value)}, not a finite number`);
    }
  }
  return returned as Metrics;
}

/** A finished point's line in the progress tree: what it measured. */
const describeMetrics = (parameters: string[]) => (record: SweepRecord) => ({
  detail: Object.entries(record)
    .filter(([field]) => !parameters.includes(field))
    .map(([metric, value]) => `${metric}=${formatNumber(value as number)}`)
    .join(" "),
});

/** Named after its point (`replicas-2.clients-10`), within what a Deployment's name allows. */
function deploymentName(point: Point): string {
  return safeName(
    Object.entries(point)
      .map(([parameter, value]) => `${parameter}-${value}`)
      .join("."),
  );
}

/** `text` as a Deployment's or HostPool's name may be: letters, digits, '_', '.' and '-', at most 64. */
function safeName(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_.-]/g, "_")
    .replace(/^[.-]/, "_")
    .slice(0, 64);
}

function checkOptions<G extends Grid, M extends Metrics, H>(options: SweepOptions<G, M, H>, where: string): SweepOptions<G, M, H> {
  if (typeof options !== "object" || options === null)
    throw new ConfigError(`${where}: expected options { grid, out, run, hosts?, plot?, rerun?, name?, programMetrics? }`);
  const unknown = Object.keys(options).find((key) => !OPTIONS.includes(key));
  if (unknown !== undefined) throw new ConfigError(`${where}: options: unknown option "${unknown}" (options: ${OPTIONS.join(", ")})`);
  if (typeof options.out !== "string" || options.out === "") throw new ConfigError(`${where}: out: expected the results directory, e.g. "results/"`);
  if (typeof options.run !== "function") throw new ConfigError(`${where}: run: expected a function (point, d, hosts) => metrics`);
  if (options.hosts !== undefined && typeof options.hosts !== "function")
    throw new ConfigError(`${where}: hosts: expected a function (pool) => hosts, declaring the hosts every point uses on the pool`);
  if (options.rerun !== undefined && typeof options.rerun !== "boolean") throw new ConfigError(`${where}: rerun: expected true or false`);
  if (options.name !== undefined && typeof options.name !== "string") throw new ConfigError(`${where}: name: expected a string`);
  if (options.programMetrics !== undefined && typeof options.programMetrics !== "boolean")
    throw new ConfigError(`${where}: programMetrics: expected true or false`);
  return options;
}
