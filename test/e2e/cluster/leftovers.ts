import { existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { STATE_ROOT } from "./layout.js";

/** What of cluster `id` the machine still shows, asked of `ip` and `pgrep` rather than the harness. */
export async function leftovers(id: string) {
  const namespaces = (await execa("ip", ["netns", "list"])).stdout;
  const links = (await execa("ip", ["-o", "link", "show"])).stdout;
  const processes = (await execa("pgrep", ["-af", `hydro-cluster/${id}/`], { reject: false })).stdout;
  return {
    namespaces: namespaces.split("\n").filter((line) => line.includes(`hydro-t${id}-`)),
    links: links.split("\n").filter((line) => line.includes(`hydt${id}`)),
    processes: processes.split("\n").filter(Boolean),
    stateDir: existsSync(join(STATE_ROOT, id)),
  };
}

export const NOTHING_LEFT = { namespaces: [], links: [], processes: [], stateDir: false };

/**
 * Whether anything of the booted host `name` of a cluster is left on the machine: its namespace
 * (its veth dies with it: the peer is inside), its directory or its processes.
 */
export async function bootedHostLeft(cluster: { readonly id: string; readonly dir: string }, name: string): Promise<boolean> {
  const left = await leftovers(cluster.id);
  return (
    left.namespaces.some((line) => line.split(" ")[0] === `hydro-t${cluster.id}-${name}`) ||
    left.processes.some((line) => line.includes(`/${name}/`)) ||
    existsSync(join(cluster.dir, name))
  );
}
