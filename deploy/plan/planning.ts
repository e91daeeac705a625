/**
 * `hydro plan` runs the config as `hydro run` does, with one difference: the first deploy()
 * checks and bundles what it would deploy, hands the topology to the planner, and never returns
 * (the CLI prints the plan and exits), so no host is launched and nothing is started.
 */
import type { Topology } from "./topology.js";

let planner: ((topology: Topology) => void) | undefined;

/** From now on, deploy() plans instead of deploying; the first to plan is printed (two deploy() at once print one plan). */
export function planInsteadOfDeploying(onPlan: (topology: Topology) => void): void {
  let planned = false;
  planner = (topology) => {
    if (!planned) onPlan(topology);
    planned = true;
  };
}

/** The planner, while `hydro plan` runs. */
export function activePlanner(): ((topology: Topology) => void) | undefined {
  return planner;
}
