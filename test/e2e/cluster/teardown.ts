import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execaSync } from "execa";
import { type ClusterSelector, type HostLayout, INIT_PID_FILE, STATE_ROOT, isClusterLink, isClusterNamespace, isClusterStateDir } from "./layout.js";
import { hasExited, processesInNamespaces, recordedProcess, signalNow, waitUntilExitedSync } from "./processes.js";

export interface Removed {
  readonly namespaces: readonly string[];
  readonly links: readonly string[];
  readonly stateDirs: readonly string[];
  /** Every process that was in the clusters; they may take a moment to be reaped (`waitUntilGone`). */
  readonly pids: readonly number[];
}

/** What to remove, as found on the machine. */
interface Found {
  readonly namespaces: readonly string[];
  readonly links: readonly string[];
  /** Cluster state directories or host directories: each is deleted with everything in it. */
  readonly stateDirs: readonly string[];
  /** Pids from init.pid files (the inits whose network namespace is already gone). */
  readonly recordedInits: readonly number[];
}

// How long the unshare/nsenter processes around a host get to exit on their own.
const OUTER_EXIT_MS = 2_000;

/**
 * Removes everything of the selected clusters, found by name rather than from memory so it also
 * cleans up after a crashed run. Synchronous, so it can run in a process 'exit' handler.
 */
export function removeClusters(which: ClusterSelector): Removed {
  const stateDirs = listDir(STATE_ROOT)
    .filter((name) => isClusterStateDir(name, which))
    .map((name) => join(STATE_ROOT, name));
  return remove({
    namespaces: listDir("/run/netns").filter((name) => isClusterNamespace(name, which)),
    links: listDir("/sys/class/net").filter((name) => isClusterLink(name, which)),
    stateDirs,
    recordedInits: stateDirs.flatMap((stateDir) => listDir(stateDir).flatMap((hostName) => recordedInit(join(stateDir, hostName)))),
  });
}

/** Removes one host of a running cluster (a booted one), leaving the bridge and the other hosts alone. */
export function removeHost(host: Pick<HostLayout, "namespace" | "veth" | "dir">): Removed {
  return remove({
    namespaces: listDir("/run/netns").filter((name) => name === host.namespace),
    links: listDir("/sys/class/net").filter((name) => name === host.veth),
    stateDirs: existsSync(host.dir) ? [host.dir] : [],
    recordedInits: recordedInit(host.dir),
  });
}

function remove(found: Found): Removed {
  const { namespaces, links, stateDirs } = found;
  const processes = processesInNamespaces(namespaces);
  // Killing a host's init makes the kernel kill every other process of that host. Inits whose
  // network namespace is already gone are found through their pid files.
  signalNow([...processes.filter((p) => p.insideHost).map((p) => p.pid), ...found.recordedInits]);
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

/** The init of the host whose directory is `hostDir`, if its pid file names a live one. */
function recordedInit(hostDir: string): number[] {
  const pid = recordedProcess(join(hostDir, INIT_PID_FILE), hostDir);
  return pid === undefined ? [] : [pid];
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
