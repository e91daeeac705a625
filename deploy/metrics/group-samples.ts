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

  /**
   * A stderr line, split: the program's own text (all of it, for a line without a sample; what it
   * wrote before, for a sample that ends a line it left unfinished, like a progress bar) and the
   * measures of the sample, if there is one.
   */
  read(line: string): { text: string | undefined; measures: { cpu: number; rss: number } | undefined } {
    const at = line.indexOf(`${this.mark} `);
    if (at < 0) return { text: line, measures: undefined };
    return { text: at > 0 ? line.slice(0, at) : undefined, measures: this.measures(line.slice(at + this.mark.length + 1)) };
  }

  private measures(sample: string): { cpu: number; rss: number } | undefined {
    const [cpuMs = NaN, rss = NaN] = sample.split(" ").map(Number);
    const now = performance.now();
    // Processes that left the group take their CPU time with them: the total may go down.
    const cpu = Math.max(0, cpuMs - this.cpuMs) / Math.max(1, now - this.at);
    [this.cpuMs, this.at] = [cpuMs, now];
    return Number.isFinite(cpu) && Number.isFinite(rss) ? { cpu, rss } : undefined;
  }
}
