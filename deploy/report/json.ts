import type { Reporter } from "./deploy-event.js";
import { describeFailure } from "./format.js";
import { write } from "./write.js";

/** One JSON object per line on stdout, for scripts: `hydro run --json config.hydro.ts | jq`. A failure is also told on stderr, for a person. */
export function jsonReporter(): Reporter {
  return (event) => {
    if (event.type === "error") write(process.stderr, `${describeFailure(event.message)}\n`);
    return write(process.stdout, `${JSON.stringify({ time: Date.now(), ...event })}\n`);
  };
}
