import path from "node:path";
import { HydroError } from "../errors.js";
import type { SessionPool } from "./connection.js";
import { localNodeBinary, localPlatform, MIN_NODE_MAJOR } from "./node-binary.js";
import { quote } from "./quote.js";
import { upload } from "./upload.js";

/** One round trip at launch: a run directory for sockets, the cache directory, and what node there is. */
const PROBE = [
  // Under the home directory rather than /tmp: a host lost mid-run keeps its leftovers with the
  // rest of ~/.hydro, not in a shared /tmp.
  'mkdir -p "$HOME/.hydro/cache" "$HOME/.hydro/run" || exit 1',
  'run=$(mktemp -d "$HOME/.hydro/run/XXXXXX") || exit 1',
  'echo "home=$HOME"',
  'echo "run=$run"',
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
}

/** Prepares a host and finds (or uploads) a usable node. */
export async function probeHost(pool: SessionPool, label: string, signal: AbortSignal): Promise<HostFacts> {
  const probe = await pool.run(PROBE);
  const facts = Object.fromEntries(probe.stdout.split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
  if (probe.code !== 0 || !facts.home || !facts.run) {
    throw new HydroError(`${label}: cannot prepare the host: ${probe.stderr.trim() || `exit code ${probe.code}`}`);
  }
  return { home: facts.home, runDir: facts.run, node: await usableNode(pool, facts, label, signal) };
}

/** The host's own node when new enough, else ours uploaded when the platform matches. */
async function usableNode(pool: SessionPool, facts: Record<string, string | undefined>, label: string, signal: AbortSignal): Promise<string> {
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
  await upload(pool, binary.path, remote, { mode: 0o755, signal });
  return remote;
}
