import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execaSync } from "execa";
import { type ClusterSelector, INIT_PID_FILE, STATE_ROOT, isClusterLink, isClusterNamespace, isClusterStateDir } from "./layout.js";
import { hasExited, processesInNamespaces, recordedProcess, signalNow, waitUntilExitedSync } from "./processes.js";

export interface Removed {
  readonly namespaces: readonly string[];
  readonly links: readonly string[];
  readonly stateDirs: readonly string[];
  /** Every process that was in the clusters; they may take a moment to be reaped (`waitUntilGone`). */
  readonly pids: readonly number[];
}

// How long the unshare/nsenter processes around a host get to exit on their own.
const OUTER_EXIT_MS = 2_000;

/**
 * Removes everything of the selected clusters, found by name rather than from memory so it also
 * cleans up after a crashed run. Synchronous, so it can run in a process 'exit' handler.
 */
export function removeClusters(which: ClusterSelector): Removed {
  const namespaces = listDir("/run/netns").filter((name) => isClusterNamespace(name, which));
  const links = listDir("/sys/class/net").filter((name) => isClusterLink(name, which));
  const stateDirs = listDir(STATE_ROOT)
    .filter((name) => isClusterStateDir(name, which))
    .map((name) => join(STATE_ROOT, name));

  const processes = processesInNamespaces(namespaces);
  // Killing a host's init makes the kernel kill every other process of that host. Inits whose
  // network namespace is already gone are found through their pid files.
  signalNow([...processes.filter((p) => p.insideHost).map((p) => p.pid), ...stateDirs.flatMap(recordedInits)]);
  // The unshare and nsenter processes that started them now exit by themselves. Killing them
  // first would hand their children to the machine's init, leaving zombies until it reaps
  // (some sandboxes' pid 1 does so only now and then); only what is still there after a while
  // (e.g. a stray `ip netns exec`) is killed.
  const outer = processes.filter((p) => !p.insideHost).map((p) => p.pid);
  waitUntilExitedSync(outer, OUTER_EXIT_MS);
  signalNow(outer.filter((pid) => !hasExited(pid)));

  if (links.length + namespaces.length > 0) {
    // Deleting a veth also deletes its peer inside the namespace.
    const commands = [...links.map((link) => `link del ${link}`), ...namespaces.map((ns) => `netns del ${ns}`)];
    execaSync("ip", ["-force", "-batch", "-"], { input: commands.join("\n") + "\n", reject: false });
  }
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
  return { namespaces, links, stateDirs, pids: processes.map((p) => p.pid) };
}

function recordedInits(stateDir: string): number[] {
  return listDir(stateDir).flatMap((hostName) => {
    const hostDir = join(stateDir, hostName);
    return recordedProcess(join(hostDir, INIT_PID_FILE), hostDir) ?? [];
  });
}

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw error;
  }
}
