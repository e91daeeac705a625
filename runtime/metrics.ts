/**
 * What a program tells the deployer about itself every `intervalMs` (the `start` message's
 * `metricsMs`): its CPU over the interval as a share of one core, its RSS, and its ports'
 * counters, as a `metrics` control line. One line a second costs the program a few microseconds.
 */
import { Inbound } from "./inbound.js";
import { Outbound } from "./outbound.js";
import type { PortMetrics, ProgramMessage } from "./protocol.js";

export function reportMetrics(send: (message: ProgramMessage) => void, ports: Record<string, unknown>, intervalMs: number): void {
  let cpu = process.cpuUsage();
  let at = performance.now();
  setInterval(() => {
    const [nowCpu, now] = [process.cpuUsage(), performance.now()];
    const busyMs = (nowCpu.user - cpu.user + nowCpu.system - cpu.system) / 1000;
    send({ type: "metrics", cpu: now > at ? busyMs / (now - at) : 0, rss: process.memoryUsage.rss(), ports: portMetrics(ports) });
    [cpu, at] = [nowCpu, now];
  }, intervalMs).unref();
}

/** Each port's counters so far: a receiving port's messages and what it refused; a sending port's, summed over its receivers. */
function portMetrics(ports: Record<string, unknown>): Record<string, PortMetrics> {
  const metrics: Record<string, PortMetrics> = {};
  for (const [name, port] of Object.entries(ports)) {
    if (port instanceof Inbound) {
      const { received, bytes, invalid, badFrames, refused } = port.stats;
      metrics[name] = { direction: "in", messages: received, bytes, invalid, badFrames, refused };
    } else if (port instanceof Outbound) {
      const sum = { direction: "out" as const, messages: 0, bytes: 0, dropped: port.dropped };
      for (const receiver of Object.values(port.stats)) {
        sum.messages += receiver.sent;
        sum.bytes += receiver.bytes;
        sum.dropped += receiver.dropped + receiver.droppedByFault;
      }
      metrics[name] = sum;
    }
  }
  return metrics;
}
