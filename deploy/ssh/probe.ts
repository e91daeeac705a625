import path from "node:path";
import { HydroError } from "../errors.js";
import type { SessionPool } from "./connection.js";
import { localNodeBinary, localPlatform, MIN_NODE_MAJOR } from "./node-binary.js";
import { quote } from "./quote.js";
import { upload, type UploadOptions } from "./upload.js";
import { cgroupsWanted } from "../containment.js";
import { CONTAINMENT_FUNCTIONS, FIND_CGROUP_PARENT } from "./remote-containment.js";

/**
 * One round trip at launch: leftovers of dead deployers swept, a run directory for sockets, the
 * cache directory, and what node there is.
 *
 * $PPID is the sshd process of this deployer's connection: alive exactly as long as the deployer
 * is connected. Run directories (`<pid>-XXXXXX`) and temporary uploads (`….<pid>.<random>.tmp`)
 * carry it, so the next launch removes those whose deployer is gone (killed with -9, a lost host)
 * and that belong to the current user; so do their cgroups (`hydro-<pid>-XXXXXX`), with whatever
 * escaped processes are still in them.
 */
const PROBE = [
  // Under the home directory rather than /tmp: a host lost mid-run keeps its leftovers with the
  // rest of ~/.hydro, not in a shared /tmp.
  // What it creates there is the user's alone; closing ~/.hydro also covers what older versions left open.
  "umask 077",
  'mkdir -p "$HOME/.hydro/cache" "$HOME/.hydro/run" && chmod 700 "$HOME/.hydro" || exit 1',
  // A process of another user is still there even when kill -0 may not signal it.
  'alive() { [ -e "/proc/$1" ] || kill -0 "$1" 2>/dev/null; }',
  CONTAINMENT_FUNCTIONS,
  FIND_CGROUP_PARENT,
  'for left in "$HOME"/.hydro/run/*-* "$HOME"/.hydro/cache/*.tmp "$HOME"/.hydro/node/*/*.tmp; do',
  // Also skips a pattern that matched nothing.
  '  [ -O "$left" ] || continue',
  "  name=${left##*/}",
  "  case $name in *.tmp) pid=${name%.*.tmp}; pid=${pid##*.} ;; *) pid=${name%%-*} ;; esac",
  "  case $pid in ''|*[!0-9]*) continue ;; esac",
  '  alive "$pid" || rm -rf -- "$left"',
  "done",
  'run=$(mktemp -d "$HOME/.hydro/run/$PPID-XXXXXX") || exit 1',
  'echo "home=$HOME"',
  'echo "run=$run"',
  'echo "owner=$PPID"',
  'if [ -n "$cgparent" ]; then cg="$cgparent/hydro-${run##*/}"; mkdir "$cg" 2>/dev/null && echo "cgroup=$cg"; fi',
  'echo "platform=$(uname -sm)"',
  "node=$(command -v node 2>/dev/null) || exit 0",
  'echo "node=$node"',
  // Starting node to ask its version costs ~100 ms, so the answer is kept, keyed by the binary's mtime and size.
  'stamp="$node $(stat -L -c %Y:%s "$node")"',
  'if [ "$(head -n 1 "$HOME/.hydro/node-version" 2>/dev/null)" != "$stamp" ]; then',
  '  printf "%s\\n%s\\n" "$stamp" "$("$node" -p process.versions.node 2>/dev/null)" > "$HOME/.hydro/node-version"',
  "fi",
  'echo "nodeVersion=$(sed -n 2p "$HOME/.hydro/node-version")"',
  "exit 0",
].join("\n");

export interface HostFacts {
  home: string;
  /** A fresh directory for this deployment's unix sockets, removed at teardown. */
  runDir: string;
  /** The node to run services with. */
  node: string;
  /** The pid whose life marks this deployer's leftovers on the host as live (its connection's sshd). */
  owner: number;
  /** This deployment's cgroup on the host, "" where there is none (deploy/containment.ts). */
  cgroup: string;
}

/** Prepares a host and finds (or uploads) a usable node. */
export async function probeHost(pool: SessionPool, label: string, signal: AbortSignal): Promise<HostFacts> {
  const probe = await pool.run(`set -- ${cgroupsWanted() ? "cgroups" : "environment"}\n${PROBE}`);
  const facts = Object.fromEntries(probe.stdout.split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
  const owner = Number(facts.owner);
  if (probe.code !== 0 || !facts.home || !facts.run || !owner) {
    throw new HydroError(`${label}: cannot prepare the host: ${probe.stderr.trim() || `exit code ${probe.code}`}`);
  }
  return { home: facts.home, runDir: facts.run, owner, cgroup: facts.cgroup ?? "", node: await usableNode(pool, facts, { owner, label, signal }) };
}

/** The host's own node when new enough, else ours uploaded when the platform matches. */
async function usableNode(pool: SessionPool, facts: Record<string, string | undefined>, uploads: Omit<UploadOptions, "mode">): Promise<string> {
  const { label } = uploads;
  const major = Number(facts.nodeVersion?.split(".")[0]);
  if (facts.node && major >= MIN_NODE_MAJOR) return facts.node;
  const found = facts.node ? `node ${facts.nodeVersion} (at ${facts.node}) is older than ${MIN_NODE_MAJOR}` : "node is not installed";
  if (facts.platform !== localPlatform) {
    throw new HydroError(
      `${label}: ${found}, and its platform (${facts.platform}) differs from this machine's (${localPlatform}), so this machine's node cannot be uploaded: install Node ${MIN_NODE_MAJOR} or newer there`,
    );
  }
  const binary = await localNodeBinary();
  const remote = `${facts.home}/.hydro/node/${binary.hash}/node`;
  await pool.run(`mkdir -p ${quote(path.posix.dirname(remote))}`);
  await upload(pool, binary.path, remote, { ...uploads, mode: 0o700 });
  return remote;
}
