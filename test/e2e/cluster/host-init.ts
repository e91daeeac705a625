import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { NODE_EXECUTABLES } from "./session-path.js";

export interface HostInitOptions {
  readonly namespace: string;
  readonly hostname: string;
  /** Bind-mounted over /root, so each host has its own home (and its own ~/.hydro cache). */
  readonly homeDir: string;
  /** Where the init's pid is recorded for `cluster:down`; its command line contains `homeDir`. */
  readonly pidFilePath: string;
  /** Directories in which node and its scripts vanish for this host (empty: a host with node). */
  readonly hideNodeIn: readonly string[];
  /** An empty directory for the host's private tmpfs that holds the overlays hiding node. */
  readonly scratchDir: string;
}

// Pid 1 of a host. It sets up the host's hostname and home, hides node by laying an overlay with
// whiteouts over each given directory, then reaps orphans (sessions whose sshd died, daemonised
// services) for as long as the host lives. Killing it ends every process of the host.
// Arguments: hostname, home directory, scratch directory, directories to hide node in.
const INIT_SCRIPT = `
set -e
hostname "$1"
mount --bind "$2" /root
scratch=$3
shift 3
if [ $# -gt 0 ]; then mount -t tmpfs hydro-hide-node "$scratch"; fi
layer=0
for dir in "$@"; do
  layer=$((layer + 1))
  mkdir -p "$scratch/$layer/upper" "$scratch/$layer/work"
  for name in ${NODE_EXECUTABLES.join(" ")}; do
    if [ -e "$dir/$name" ] || [ -L "$dir/$name" ]; then mknod "$scratch/$layer/upper/$name" c 0 0; fi
  done
  mount -t overlay hydro-hide-node -o "lowerdir=$dir,upperdir=$scratch/$layer/upper,workdir=$scratch/$layer/work" "$dir"
done
set +e
echo ready
exec </dev/null >/dev/null 2>&1
while :; do sleep infinity & wait; done`;

/**
 * Starts a host's init in its network namespace and in new PID, mount and UTS namespaces (with
 * its own /proc), and resolves with the init's pid as the root namespace sees it.
 */
export async function startHostInit(options: HostInitOptions): Promise<number> {
  const unshare = spawn(
    "ip",
    [
      ...["netns", "exec", options.namespace],
      ...["unshare", "--pid", "--fork", "--mount-proc", "--uts", "--propagation", "private"],
      ...["bash", "-c", INIT_SCRIPT, "init", options.hostname, options.homeDir, options.scratchDir, ...options.hideNodeIn],
    ],
    // Its own session: a Ctrl-C meant for the test runner must not kill the host before cleanup does.
    { detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  unshare.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const failed = (reason: string) => new Error(`host ${options.hostname}: namespace setup ${reason}: ${stderr.trim()}`);
  await new Promise<void>((resolve, reject) => {
    unshare.stdout.setEncoding("utf8").on("data", (chunk: string) => chunk.includes("ready") && resolve());
    unshare.once("error", reject);
    unshare.once("exit", (code, signal) => reject(failed(`exited (${signal ?? code})`)));
  });
  unshare.removeAllListeners("exit");
  unshare.unref();
  // `ip netns exec` execs unshare in place; unshare forks the init and waits for it.
  const children = await readFile(`/proc/${unshare.pid}/task/${unshare.pid}/children`, "utf8");
  const pid = Number(children.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw failed(`left no init process (children: "${children.trim()}")`);
  await writeFile(options.pidFilePath, `${pid}\n`);
  return pid;
}

/** Arguments for `nsenter` to run `command` inside the host: its network, processes, mounts and hostname. */
export function nsenterArgs(initPid: number, command: readonly string[]): string[] {
  return ["--target", String(initPid), "--net", "--pid", "--mount", "--uts", "--", ...command];
}
