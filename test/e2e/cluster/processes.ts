import { readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export interface NamespaceProcess {
  readonly pid: number;
  readonly ppid: number;
  /** The kernel's short name for the process (/proc/<pid>/comm), e.g. "sshd". */
  readonly comm: string;
  /** In a host's own PID namespace (not in ours, like the `unshare`/`nsenter` that started it). */
  readonly insideHost: boolean;
}

/** Every process whose network namespace is one of the named ones (like `ip netns pids`, for many at once). */
export function processesInNamespaces(namespaces: readonly string[]): NamespaceProcess[] {
  // /proc/<pid>/ns/net reads "net:[<inode>]"; the namespace's file under /run/netns has that inode.
  const wanted = new Set(namespaces.map((name) => readOrSkip(() => `net:[${statSync(`/run/netns/${name}`).ino}]`)));
  const ownPidNamespace = readlinkSync("/proc/self/ns/pid");
  const found: NamespaceProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const network = readOrSkip(() => readlinkSync(`/proc/${pid}/ns/net`));
    if (network === undefined || !wanted.has(network)) continue;
    const pidNamespace = readOrSkip(() => readlinkSync(`/proc/${pid}/ns/pid`));
    const stat = readStat(pid);
    if (pidNamespace === undefined || stat === undefined) continue;
    found.push({ pid, ppid: stat.ppid, comm: stat.comm, insideHost: pidNamespace !== ownPidNamespace });
  }
  return found;
}

/**
 * The pid in `pidFile` if that process is still the one we started: its command line must
 * contain `marker`, so a recycled pid is never killed.
 */
export function recordedProcess(pidFile: string, marker: string): number | undefined {
  const pid = readOrSkip(() => Number(readFileSync(pidFile, "utf8").trim()));
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return undefined;
  const commandLine = readOrSkip(() => readFileSync(`/proc/${pid}/cmdline`, "utf8"));
  return commandLine?.includes(marker) ? pid : undefined;
}

export function signalNow(pids: Iterable<number>, signal: NodeJS.Signals = "SIGKILL"): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }
}

/** Exited: no longer in /proc, or a zombie waiting for its parent to reap it. */
export function hasExited(pid: number): boolean {
  const stat = readStat(pid);
  return stat === undefined || stat.state === "Z";
}

/** Gone: reaped. A zombie whose parent is someone else counts as gone: its reaping is not ours to wait for. */
function isGone(pid: number): boolean {
  const stat = readStat(pid);
  return stat === undefined || (stat.state === "Z" && stat.ppid !== process.pid);
}

/** Resolves once every one of `pids` is gone; rejects after `timeoutMs`. */
export async function waitUntilGone(pids: readonly number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let running = pids.filter((pid) => !isGone(pid));
  while (running.length > 0) {
    if (Date.now() > deadline) throw new Error(`processes still running: ${running.join(", ")}`);
    // Yielding to the event loop is also what lets node reap its own exited children.
    await sleep(5);
    running = running.filter((pid) => !isGone(pid));
  }
}

/** Blocks the thread until every one of `pids` has exited or `timeoutMs` passed (for 'exit' handlers). */
export function waitUntilExitedSync(pids: readonly number[], timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const blocker = new Int32Array(new SharedArrayBuffer(4));
  while (pids.some((pid) => !hasExited(pid)) && Date.now() < deadline) Atomics.wait(blocker, 0, 0, 5);
}

interface ProcessStat {
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
}

function readStat(pid: number): ProcessStat | undefined {
  const stat = readOrSkip(() => readFileSync(`/proc/${pid}/stat`, "utf8"));
  if (stat === undefined) return undefined;
  // "<pid> (<comm>) <state> <ppid> …" where comm may itself contain spaces and parentheses.
  const commEnd = stat.lastIndexOf(")");
  const [state = "", ppid = "0"] = stat.slice(commEnd + 2).split(" ");
  return { comm: stat.slice(stat.indexOf("(") + 1, commEnd), state, ppid: Number(ppid) };
}

/** Reads something that may vanish at any moment (processes exit, namespaces get deleted). */
function readOrSkip<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ESRCH" || code === "EACCES") return undefined;
    throw error;
  }
}
