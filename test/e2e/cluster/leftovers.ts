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
