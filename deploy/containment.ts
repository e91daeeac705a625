/**
 * Keeping track of everything a program starts, so that nothing survives its teardown: a
 * daemon that calls setsid() or a detached child leaves the program's process group, which is
 * all a signal reaches. Two mechanisms, on every host kind:
 *
 * - a cgroup v2 per program, where the host lets the deployer's user create one under its own
 *   cgroup: every descendant stays in it whatever it does, and `cgroup.kill` ends them all;
 * - everywhere, a marker in the environment (`HYDRO_RUN=<deployment>.<program>`, `…+<run>` from a
 *   restart on, so that what is left of one run is killed without the next): processes that
 *   kept it (most do; only one that clears its environment escapes) are found in /proc and killed.
 *
 * HYDRO_CONTAINMENT=environment on the deployer turns cgroups off (the fallback alone, as on a
 * host without them).
 */

/** The environment variable every program and its descendants carry. */
export const ENV_RUN_MARKER = "HYDRO_RUN";

export const cgroupsWanted = () => process.env.HYDRO_CONTAINMENT !== "environment";

/**
 * `sh -c ENTER_CGROUP hydro-contain <cgroup dir or ""> argv…`: the shell moves itself into the
 * program's cgroup (created here), then becomes the program. Without a cgroup, or when the move
 * is refused, the program runs anyway: the marker still finds its descendants.
 */
export const ENTER_CGROUP = ['if [ -n "$1" ] && mkdir -p "$1" 2>/dev/null; then echo $$ > "$1/cgroup.procs" 2>/dev/null; fi', "shift", 'exec "$@"'].join("\n");

/**
 * A deployer's cgroup (one per launched host) is named like its run directory, `hydro-<pid>-…`
 * (locally the deployer's pid, remotely its connection's sshd): a later launch kills and removes
 * those of dead deployers, so even a deployer killed with -9 leaves no daemon behind for long.
 */
export const CGROUP_PREFIX = "hydro-";
