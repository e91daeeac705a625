import type { TopLevelSpec } from "vega-lite";
import { ConfigError } from "../errors.js";
import { vegaLiteSvg } from "../vega-lite-svg.js";
import { ERROR_FIELD } from "./grid.js";
import type { SweepRecord } from "./results-files.js";

/** A line plot of one metric (`y`) against one column (`x`), one line per combination of the `series` columns. */
export interface PlotOptions {
  x: string;
  y: string;
  series?: string | string[];
}

/** What is plotted, with the columns the user named. */
interface Chart {
  x: string;
  y: string;
  series: string[];
}

const measured = (records: SweepRecord[]) => records.filter((record) => !(ERROR_FIELD in record));

/**
 * Refuses a plot that names a column the results do not have, or a `y` without numbers. Parameters
 * are known before anything runs; a metric only once some point has returned it, so the caller
 * checks again after each point and a misspelt metric stops the sweep after its first point.
 */
export function checkPlot(plot: unknown, records: SweepRecord[], parameters: string[], where: string): Chart {
  if (typeof plot !== "object" || plot === null) throw new ConfigError(`${where}: plot: expected { x, y, series? }`);
  const { x, y, series = [] } = plot as Record<string, unknown>;
  const seriesList = typeof series === "string" ? [series] : series;
  if (typeof x !== "string") throw new ConfigError(`${where}: plot.x: expected a column name`);
  if (typeof y !== "string") throw new ConfigError(`${where}: plot.y: expected a column name`);
  if (!Array.isArray(seriesList) || !seriesList.every((name) => typeof name === "string"))
    throw new ConfigError(`${where}: plot.series: expected a column name or an array of them`);
  const done = measured(records);
  if (done.length === 0) return { x, y, series: seriesList };
  const columns = [...new Set([...parameters, ...done.flatMap((record) => Object.keys(record))])];
  const named: Array<[string, string]> = [["plot.x", x], ["plot.y", y], ...seriesList.map((name, index): [string, string] => [`plot.series[${index}]`, name])];
  for (const [field, column] of named) {
    if (!columns.includes(column)) throw new ConfigError(`${where}: ${field}: "${column}" is not a column of the results (columns: ${columns.join(", ")})`);
  }
  if (!done.some((record) => typeof record[y] === "number")) throw new ConfigError(`${where}: plot.y: "${y}" holds no numbers`);
  return { x, y, series: seriesList };
}

/** The plot as SVG (vega and vega-lite load only when a sweep plots). */
export function renderPlot(records: SweepRecord[], chart: Chart, title: string): Promise<string> {
  return vegaLiteSvg(plotSpec(records, chart, title));
}

/**
 * The data carries the columns as `x`, `y` and `series`, never the user's names: vega-lite reads
 * dots and brackets in a field name as a path into the record. Axes and legend keep the names.
 */
function plotSpec(records: SweepRecord[], chart: Chart, title: string): TopLevelSpec {
  const points = measured(records)
    .filter((record) => typeof record[chart.y] === "number" && chart.x in record)
    .map((record) => ({ x: record[chart.x]!, y: record[chart.y] as number, series: chart.series.map((name) => String(record[name] ?? "")).join(", ") }));
  const numericX = points.every((point) => typeof point.x === "number");
  const xs = [...new Set(points.map((point) => point.x))];
  return {
    title,
    width: 480,
    height: 300,
    data: { values: numericX ? points : points.map((point) => ({ ...point, x: String(point.x) })) },
    mark: { type: "line", point: true },
    encoding: {
      // A sweep's x is usually a parameter: a tick at each value it took, in grid order when not numbers.
      x: numericX
        ? { field: "x", type: "quantitative", title: chart.x, scale: { zero: false }, axis: { values: xs as number[] } }
        : { field: "x", type: "ordinal", title: chart.x, sort: xs.map(String) },
      y: { field: "y", type: "quantitative", title: chart.y },
      ...(chart.series.length
        ? { color: { field: "series", type: "nominal", title: chart.series.join(", "), sort: [...new Set(points.map((point) => point.series))] } }
        : {}),
    },
  };
}
