import type { Reporter } from "../events.js";

/** One JSON object per line on stdout, for scripts: `hydro run --json config.hydro.ts | jq`. */
export function jsonReporter(): Reporter {
  return (event) => process.stdout.write(`${JSON.stringify({ time: Date.now(), ...event })}\n`);
}
