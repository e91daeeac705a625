import { ENV_RUN_MARKER } from "../containment.js";
import { quote } from "./quote.js";

/** Containment on an SSH host (see deploy/containment.ts), as shell functions for the commands that need them. */
export const CONTAINMENT_FUNCTIONS = [
  // cgroup.kill ends a whole subtree; kernels before 5.14 only list the processes.
  'cgkill() { echo 1 > "$1/cgroup.kill" 2>/dev/null || cat "$1/cgroup.procs" "$1"/*/cgroup.procs 2>/dev/null | xargs -r kill -9 2>/dev/null; }',
  // A cgroup goes with rmdir, children first, once its killed processes are gone.
  'cgremove() { cgkill "$1"; for try in 1 2 3 4 5 6 7 8 9 10; do for d in "$1"/*/; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done; rmdir "$1" 2>/dev/null && return; sleep 0.1; done; }',
  // One grep reads every environment this user may read (GNU grep's -z: NUL-separated records; -F: a marker's dots are dots).
  `markkill() { grep -lzxF "${ENV_RUN_MARKER}=$1" /proc/[0-9]*/environ 2>/dev/null | sed 's|^/proc/\\([0-9]*\\)/environ$|\\1|' | xargs -r kill -s "\${2:-KILL}" 2>/dev/null; }`,
  // Freezes (1) or thaws (0) a program's cgroup, and stops or continues its marked processes (those not in it too).
  'cgfreeze() { [ -n "$1" ] && echo "$3" > "$1/cgroup.freeze" 2>/dev/null; markkill "$2" "$4"; }',
].join("\n");

/**
 * For the probe: `cgparent`, the cgroup v2 directory of this session where the user may create
 * cgroups (empty when there is none or cgroups are not wanted), and the removal of the cgroups
 * of dead deployers in it. Needs `alive` and CONTAINMENT_FUNCTIONS.
 */
export const FIND_CGROUP_PARENT = [
  "cgparent=",
  'if [ "$1" = cgroups ]; then',
  "  own=$(sed -n 's/^0:://p' /proc/self/cgroup 2>/dev/null)",
  // mountinfo: "<id> <parent> <dev> <root> <mount point> <options> [optional…] - <type> …"
  `  mnt=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' /proc/self/mountinfo 2>/dev/null | head -n 1)`,
  '  if [ -n "$own" ] && [ -n "$mnt" ] && [ -w "$mnt$own/cgroup.procs" ]; then cgparent=${mnt%/}${own%/}; fi',
  "fi",
  'if [ -n "$cgparent" ]; then',
  '  for cg in "$cgparent"/hydro-*-*; do',
  '    [ -d "$cg" ] || continue',
  "    pid=${cg##*/hydro-}; pid=${pid%%-*}",
  '    alive "$pid" || cgremove "$cg"',
  "  done",
  "fi",
].join("\n");

/** Where a program with `marker` is moved before it starts, under the host's cgroup ("" for none). */
export const programCgroup = (hostCgroup: string, marker: string) => (hostCgroup ? `${hostCgroup}/${marker}` : "");

/** SIGKILL to everything the program with `marker` started, wherever it went. */
export const killContained = (hostCgroup: string, marker: string) =>
  `${CONTAINMENT_FUNCTIONS}\n${hostCgroup ? `cgkill ${quote(programCgroup(hostCgroup, marker))}; ` : ""}markkill ${quote(marker)}`;

/** Freezes (or thaws) everything the program with `marker` started, wherever it went (deploy/localhost/containment.ts says how). */
export const freezeContained = (hostCgroup: string, marker: string, frozen: boolean) =>
  `${CONTAINMENT_FUNCTIONS}\ncgfreeze ${quote(programCgroup(hostCgroup, marker))} ${quote(marker)} ${frozen ? "1 STOP" : "0 CONT"}`;

/**
 * Kills what is left in each program's cgroup under the host's and removes them, keeping the host's
 * (a pool's host between deployments). A statement list of its own, to run before what follows it.
 */
export const clearHostCgroup = (hostCgroup: string) =>
  hostCgroup ? `${CONTAINMENT_FUNCTIONS}\nfor cg in ${quote(hostCgroup)}/*/; do [ -d "$cg" ] && cgremove "\${cg%/}"; done\n` : "";

/** Kills what is left in the host's cgroup and removes it. */
export const removeHostCgroup = (hostCgroup: string) => (hostCgroup ? `${CONTAINMENT_FUNCTIONS}\ncgremove ${quote(hostCgroup)}` : "true");
