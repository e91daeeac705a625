/**
 * A POSIX sh wrapper for process() commands, which do not speak the handshake. When the deployer
 * is gone it terminates the whole process group, then kills it 2 s later: when its stdin closes
 * (the deployer exited or the connection dropped), or, with a heartbeat, when no line has arrived
 * on stdin for that long (a partition closes nothing). The command itself gets /dev/null as stdin.
 *
 * The group's SIGTERM at teardown is the command's alone to answer: the wrapper outlives it (a
 * trap, which the command does not inherit) and exits with the command's own status once it
 * exits, however long that takes; the deployer kills the group after stopTimeoutMs. Its helpers
 * ignore SIGTERM, so they still watch while the command stops.
 *
 * A period that ends far later than it should (more than `late` seconds) was spent frozen (pause()
 * stops the whole group, the watchdog too; a suspended machine): the pings sent meanwhile are still
 * unread, so it starts a new period instead of ending everything.
 *
 * Every `metrics` seconds (0: never) it also samples its process group from /proc: the CPU time
 * of its processes (with their reaped children's) in ms, and their resident bytes, written to
 * stderr as `<mark> <cpu ms> <rss bytes>`, a line the deployer takes out (deploy/metrics/). A host
 * without /proc gets no samples. Processes that left the group (setsid) are not counted.
 *
 * Usage: sh -c WATCHDOG hydro-watchdog <heartbeat seconds, 0 for none> <late seconds> <metrics seconds, 0 for none> <mark> <argv...>
 */
export const WATCHDOG = [
  "trap : TERM",
  "heartbeat=$1",
  "late=$2",
  "metrics=$3",
  "mark=$4",
  "shift 4",
  // An asynchronous list's stdin is /dev/null unless redirected: the reader gets it as fd 3.
  "exec 3<&0",
  '"$@" </dev/null 3<&- &',
  "child=$!",
  "stop='kill -TERM 0 2>/dev/null; sleep 2; kill -KILL 0 2>/dev/null'",
  "alarm=",
  'if [ "$heartbeat" != 0 ]; then',
  // Each ping (USR1) ends the wait and starts a new period; a period without one ends it all.
  "  ( trap '' TERM; trap 'pinged=1' USR1",
  '    while :; do pinged=; began=$(date +%s); sleep "$heartbeat" & wait $!; kill -KILL $! 2>/dev/null',
  '      [ -n "$pinged" ] || [ $(($(date +%s) - began)) -gt "$late" ] || break; done',
  '    eval "$stop" ) >/dev/null 2>&1 3<&- &',
  "  alarm=$!",
  "fi",
  "( trap '' TERM",
  '  while IFS= read -r _; do [ -z "$alarm" ] || kill -USR1 $alarm 2>/dev/null; done',
  '  eval "$stop" ) <&3 >/dev/null 2>&1 3<&- &',
  "watcher=$!",
  "exec 3<&-",
  "sampler=",
  'if [ "$metrics" != 0 ] && [ -r /proc/$$/stat ]; then',
  "  ( trap '' TERM",
  // After "(comm) ", a stat line's fields are: state ppid pgrp … utime(12) stime(13) cutime(14) cstime(15) … rss(22).
  String.raw`    group=$(awk '{ sub(/^.*\) /, ""); print $3 }' /proc/$$/stat)`,
  "    tick=$(getconf CLK_TCK 2>/dev/null || echo 100); page=$(getconf PAGESIZE 2>/dev/null || echo 4096)",
  // The sleep must not hold the program's stderr: its exit is reported once that pipe closes.
  '    while sleep "$metrics" 2>/dev/null; do',
  // cat, not awk, opens the files: a process gone meanwhile is skipped, not an error that ends the read.
  String.raw`      cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$group" -v mark="$mark" -v tick="$tick" -v page="$page" '{ sub(/^.*\) /, ""); if ($3 == g) { cpu += $12 + $13 + $14 + $15; rss += $22 } } END { printf "%s %.0f %.0f\n", mark, cpu * 1000 / tick, rss * page }' >&2`,
  "    done ) >/dev/null 3<&- &",
  "  sampler=$!",
  "fi",
  // A trapped signal ends `wait` early; wait again until the command itself has exited.
  "while :; do",
  "  wait $child",
  "  status=$?",
  "  kill -0 $child 2>/dev/null || break",
  "done",
  "kill -KILL $watcher $alarm $sampler 2>/dev/null",
  "exit $status",
].join("\n");

/** The line a deployer writes to a watchdog's stdin as a heartbeat. */
export const PING = "\n";

/**
 * The watchdog's heartbeat arguments: the period in seconds (fractions allowed by GNU and busybox
 * sleep), 0 for none; and, in whole seconds (`date +%s`), how late a period may end before it
 * counts as time spent frozen: twice the period, and a second for the clock's resolution.
 */
export const heartbeatArguments = (heartbeatMs: number) => [String(heartbeatMs / 1000), String(Math.ceil((2 * heartbeatMs) / 1000) + 1)];

/** The watchdog's metrics arguments: the period in seconds (0: none) and the mark its sample lines start with. */
export const metricsArguments = (metricsMs: number, mark: string) => [String(metricsMs / 1000), mark];
