// By hand:  npm run -s cluster:up -- 4 [--without-node host3,host4] > cluster.json   |   npm run cluster:down -- <id> | --all
// `up` prints the cluster's description as JSON on stdout (the manifest) and a summary for people on stderr.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { ClusterDescription, StartClusterOptions } from "./cluster.js";
import type { KeeperMessage } from "./keeper.js";
import { type ClusterSelector, KEEPER_PID_FILE, STATE_ROOT, isClusterId, isClusterStateDir } from "./layout.js";
import { recordedProcess, signalNow, waitUntilGone } from "./processes.js";
import { sshArgs } from "./ssh-client.js";
import { listDir, removeClusters } from "./teardown.js";

const USAGE = "usage: cli.ts up <hosts> [--without-node host3,host4] | cli.ts down <cluster id> | cli.ts down --all";
const KEEPER_PATH = fileURLToPath(new URL("./keeper.ts", import.meta.url));
const KEEPER_STOP_TIMEOUT_MS = 30_000;

async function main([command, ...args]: string[]): Promise<void> {
  if (command === "up") return up(args);
  if (command === "down") return down(args);
  throw new UsageError(`unknown command: ${command ?? "(none)"}`);
}

class UsageError extends Error {}

/** Starts the cluster in a detached keeper process and returns once it is up. */
async function up(args: string[]): Promise<void> {
  const [count, flag, names] = args;
  if (count === undefined || (flag !== undefined && (flag !== "--without-node" || names === undefined))) {
    throw new UsageError(`bad arguments to up: ${args.join(" ") || "(none)"}`);
  }
  const options: StartClusterOptions = { hosts: Number(count), withoutNode: names?.split(",") ?? [] };
  const started = performance.now();
  const keeper = spawn(process.execPath, [...process.execArgv, KEEPER_PATH, JSON.stringify(options)], {
    detached: true,
    stdio: ["ignore", "ignore", "ignore", "ipc"],
  });
  const message = await new Promise<KeeperMessage>((resolve, reject) => {
    keeper.once("message", (message) => resolve(message as KeeperMessage));
    keeper.once("error", reject);
    keeper.once("exit", (code, signal) => reject(new Error(`the cluster keeper exited (${signal ?? code}) before the cluster was up`)));
  });
  keeper.removeAllListeners("exit");
  keeper.unref();
  keeper.disconnect();
  if ("failed" in message) throw new Error(message.failed);
  console.log(JSON.stringify(message.ready, null, 2));
  console.error(describe(message.ready, (performance.now() - started) / 1000));
}

function describe(cluster: ClusterDescription, seconds: number): string {
  const rows = cluster.hosts.map((host) => [host.name, host.address, host.user, host.hasNode ? "node" : "no node", host.privateKeyPath]);
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return [
    `cluster ${cluster.id} up in ${seconds.toFixed(2)} s: ${cluster.hosts.length} hosts on ${cluster.subnet}, deployer address ${cluster.deployerAddress}`,
    ...rows.map(
      (row) =>
        "  " +
        row
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join("  ")
          .trimEnd(),
    ),
    `ssh:     ssh ${sshArgs(cluster.hosts[0]!).join(" ")} hostname`,
    `details: ${cluster.manifestPath}`,
    `remove:  npm run cluster:down -- ${cluster.id}    (every test cluster on this machine: -- --all)`,
  ].join("\n");
}

/** Stops keepers (they remove their clusters), then removes whatever crashed runs left. */
async function down(args: string[]): Promise<void> {
  const [id, extra] = args;
  // Another checkout's (or another user's test run's) clusters are removed only when asked for by name.
  if (id === undefined) throw new UsageError(`cluster:down needs the id of the cluster to remove, or --all for every test cluster on this machine`);
  if (extra !== undefined || (id !== "--all" && !isClusterId(id))) throw new UsageError(`not a cluster id: ${[id, extra].join(" ").trim()}`);
  const which: ClusterSelector = id === "--all" ? "all" : { id };
  const keepers = listDir(STATE_ROOT)
    .filter((name) => isClusterStateDir(name, which))
    .flatMap((name) => recordedProcess(join(STATE_ROOT, name, KEEPER_PID_FILE), KEEPER_PATH) ?? []);
  signalNow(keepers, "SIGTERM");
  await waitUntilGone(keepers, KEEPER_STOP_TIMEOUT_MS);
  const removed = removeClusters(which);
  await waitUntilGone(removed.pids);
  console.log(
    `stopped ${keepers.length} keepers; removed what was left: ${removed.namespaces.length} namespaces, ` +
      `${removed.links.length} links, ${removed.pids.length} processes, ${removed.stateDirs.length} state directories`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : error}`);
  if (error instanceof UsageError) console.error(USAGE);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
