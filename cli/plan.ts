import { HydroError } from "../deploy/errors.js";
import { planInsteadOfDeploying } from "../deploy/plan/planning.js";
import { planMermaid, planText } from "../deploy/plan/format.js";
import { write } from "../deploy/report/write.js";
import { run } from "./run.js";

export interface PlanOptions {
  mermaid?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/**
 * `hydro plan`: runs the config as `hydro run` would (its errors are reported alike) until its
 * first deploy(), which checks and bundles but launches and starts nothing; then prints the
 * topology on stdout: as text, a mermaid chart (`--mermaid`), or a JSON line (`--json`, among
 * `hydro run --json`'s events).
 */
export async function plan(config: string, args: string[], options: PlanOptions): Promise<never> {
  const planned = new Promise<void>((resolve) =>
    planInsteadOfDeploying((topology) => {
      const output = options.json
        ? `${JSON.stringify({ time: Date.now(), type: "plan", ...topology })}\n`
        : options.mermaid
          ? planMermaid(topology)
          : planText(topology);
      void write(process.stdout, output);
      resolve();
    }),
  );
  const unreached = () => new HydroError(`${config}: the config returned without calling deploy(): there is nothing to plan`);
  return run(config, args, { json: options.json, verbose: options.verbose }, { planned, unreached });
}
