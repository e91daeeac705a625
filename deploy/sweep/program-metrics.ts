import type { MetricSample } from "../metrics/sample.js";

/**
 * `sweep({ programMetrics: true })`: each program's peak RSS (bytes) and mean CPU (share of one
 * core, the mean of its samples) over a point, as the columns `<program>.peakRss` and
 * `<program>.meanCpu`. Reads the point's samples until its deployment is torn down; a program that
 * ran for less than one metrics interval has no sample, and no columns.
 */
export async function programColumns(samples: AsyncIterable<MetricSample>): Promise<Record<string, number>> {
  const programs = new Map<string, { peakRss: number; cpuSum: number; count: number }>();
  for await (const { program, rss, cpu } of samples) {
    const seen = programs.get(program) ?? { peakRss: 0, cpuSum: 0, count: 0 };
    programs.set(program, { peakRss: Math.max(seen.peakRss, rss), cpuSum: seen.cpuSum + cpu, count: seen.count + 1 });
  }
  return Object.fromEntries(
    [...programs].flatMap(([program, { peakRss, cpuSum, count }]) => [
      [`${program}.peakRss`, peakRss],
      [`${program}.meanCpu`, cpuSum / count],
    ]),
  );
}
