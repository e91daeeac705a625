import type { EdgeCount, EdgeFault, EdgeRule } from "./edge-fault.js";
import type { Outbound } from "../outbound.js";

/** Applies a sender's whole set of rules to its ports (an edge not named is cleared), and says what the faults did: the runtime's and the script's side alike. */
export function applyFaults(ports: Iterable<Outbound<unknown>>, rules: readonly EdgeRule[]): EdgeCount[] {
  const byPort = faultsByPort(rules);
  const counts: EdgeCount[] = [];
  for (const port of ports) {
    port.setFaults(byPort.get(port.name) ?? new Map());
    for (const [key, stats] of Object.entries(port.stats)) {
      if (port.hasFault(key)) counts.push({ port: port.name, key, dropped: stats.droppedByFault, delayed: stats.delayed });
    }
  }
  return counts;
}

/** Rules by port, then by receiver key. */
export function faultsByPort(rules: readonly EdgeRule[]): Map<string, Map<string, EdgeFault>> {
  const byPort = new Map<string, Map<string, EdgeFault>>();
  for (const { port, key, fault } of rules) {
    let byKey = byPort.get(port);
    if (!byKey) byPort.set(port, (byKey = new Map()));
    byKey.set(key, fault);
  }
  return byPort;
}
