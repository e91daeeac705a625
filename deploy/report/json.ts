import type { Reporter } from "../events.js";
import { write } from "./write.js";

/** One JSON object per line on stdout, for scripts: `hydro run --json config.hydro.ts | jq`. */
export function jsonReporter(): Reporter {
  return (event) => write(process.stdout, `${JSON.stringify({ time: Date.now(), ...event })}\n`);
}
