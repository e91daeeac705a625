// The process that owns a cluster started by `cluster:up` (spawned detached by cli.ts). The hosts'
// processes stay its children, so they are reaped when they end, and SIGTERM from `cluster:down`
// stops the cluster through the usual signal cleanup of startCluster.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ClusterDescription, type StartClusterOptions, startCluster } from "./cluster.js";
import { KEEPER_PID_FILE } from "./layout.js";

/** What the keeper tells the `cluster:up` process that spawned it, over IPC. */
export type KeeperMessage = { readonly ready: ClusterDescription } | { readonly failed: string };

async function main(options: StartClusterOptions): Promise<void> {
  const cluster = await startCluster(options);
  await writeFile(join(cluster.dir, KEEPER_PID_FILE), `${process.pid}\n`);
  // JSON drops the hosts' functions.
  report({ ready: JSON.parse(JSON.stringify(cluster)) as ClusterDescription });
  // Stay alive until a signal; nothing else is left to keep the event loop busy.
  setInterval(() => {}, 2 ** 30);
}

function report(message: KeeperMessage): void {
  process.send?.(message, () => process.disconnect());
}

main(JSON.parse(process.argv[2] ?? "{}") as StartClusterOptions).catch((error: unknown) => {
  report({ failed: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
});
