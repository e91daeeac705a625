import crypto from "node:crypto";

/**
 * A process() run's samples, as its watchdog writes them to stderr (deploy/watchdog.ts): lines
 * `<mark> <cpu ms so far> <rss bytes>` of its process group. The mark is random per run, so the
 * program's own lines are never taken for samples; the CPU so far becomes a share of one core over
 * the time since the last sample (the first: since the run began).
 */
export class GroupSamples {
  readonly mark = `hydro-metrics:${crypto.randomBytes(12).toString("base64url")}`;
  private cpuMs = 0;
  private at = performance.now();

  /** The measures a sample line carries; undefined for any other line (the program's own). */
  read(line: string): { cpu: number; rss: number } | undefined {
    if (!line.startsWith(`${this.mark} `)) return undefined;
    const [cpuMs = NaN, rss = NaN] = line
      .slice(this.mark.length + 1)
      .split(" ")
      .map(Number);
    const now = performance.now();
    // Processes that left the group take their CPU time with them: the total may go down.
    const cpu = Math.max(0, cpuMs - this.cpuMs) / Math.max(1, now - this.at);
    [this.cpuMs, this.at] = [cpuMs, now];
    return Number.isFinite(cpu) && Number.isFinite(rss) ? { cpu, rss } : undefined;
  }
}
