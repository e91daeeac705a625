import type { TopLevelSpec } from "vega-lite";
import type { Operation } from "./history.js";

/** A span of the run a fault was in effect: shaded on the timeline. */
export interface FaultWindow {
  label: string;
  /** ms since the workload began. */
  start: number;
  end: number;
}

export interface TimelineRow {
  /** The start of the 100 ms bucket, ms since the workload began. */
  t_ms: number;
  replica: string;
  /** Requests to that replica answered in the bucket. */
  answered: number;
  /** Requests to it sent in the bucket that were never answered. */
  unanswered: number;
}

export const BUCKET_MS = 100;

/**
 * Requests per bucket per replica from `startMs` (the load's start) to `endMs`, on the history's
 * clock: answered ones by when they were answered, unanswered ones by when they were sent. `t_ms`
 * counts from startMs.
 */
export function timelineRows(history: readonly Operation[], replicas: readonly string[], startMs: number, endMs: number): TimelineRow[] {
  const buckets = Math.ceil((endMs - startMs) / BUCKET_MS);
  const rows = replicas.flatMap((replica) => Array.from({ length: buckets }, (_, i) => ({ t_ms: i * BUCKET_MS, replica, answered: 0, unanswered: 0 })));
  const count = (replica: number, t: number, field: "answered" | "unanswered") => {
    const bucket = Math.floor((t - startMs) / BUCKET_MS);
    if (bucket >= 0) rows[replica * buckets + Math.min(buckets - 1, bucket)]![field]++;
  };
  for (const operation of history) {
    if (operation.completedAt === undefined) count(operation.replica, operation.invokedAt, "unanswered");
    else count(operation.replica, operation.completedAt, "answered");
  }
  return rows;
}

export function timelineCsv(rows: readonly TimelineRow[]): string {
  return ["t_ms,replica,answered,unanswered", ...rows.map((row) => `${row.t_ms},${row.replica},${row.answered},${row.unanswered}`)].join("\n") + "\n";
}

/** Answered requests per 100 ms, a line per replica, over the fault windows (times from `startMs`) shaded and labelled. */
export function timelineSpec(rows: readonly TimelineRow[], windows: readonly FaultWindow[], startMs: number, title: string): TopLevelSpec {
  const seconds = (ms: number) => (ms - startMs) / 1000;
  // Labels alternate between two heights, so those of short neighbouring windows do not overlap.
  const labels = (row: number) => ({
    transform: [{ filter: `datum.row == ${row}` }],
    mark: { type: "text" as const, align: "left" as const, baseline: "top" as const, dx: 3, dy: 3 + 13 * row, fontSize: 10, color: "#444" },
    encoding: { x: { field: "start", type: "quantitative" as const }, y: { value: 0 }, text: { field: "label" } },
  });
  return {
    title,
    width: 720,
    height: 280,
    layer: [
      {
        data: { values: windows.map((window, i) => ({ label: window.label, start: seconds(window.start), end: seconds(window.end), row: i % 2 })) },
        layer: [
          { mark: { type: "rect", opacity: 0.18, color: "#888" }, encoding: { x: { field: "start", type: "quantitative" }, x2: { field: "end" } } },
          labels(0),
          labels(1),
        ],
      },
      {
        data: { values: rows.map((row) => ({ t: row.t_ms / 1000, replica: row.replica, answered: row.answered })) },
        mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
        encoding: {
          x: { field: "t", type: "quantitative", title: "seconds since the load began" },
          y: { field: "answered", type: "quantitative", title: `requests answered per ${BUCKET_MS} ms` },
          color: { field: "replica", type: "nominal", title: "replica" },
        },
      },
    ],
  };
}
