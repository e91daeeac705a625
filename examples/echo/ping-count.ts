import { parseArgs } from "node:util";

/** How many pings echo_client.hf sends: its `--count` argument (10 by default). */
export const pingCount = Number(parseArgs({ options: { count: { type: "string", default: "10" } }, allowPositionals: true }).values.count);
