/**
 * A POSIX sh wrapper for process() commands, which do not speak the handshake: when its stdin
 * closes (the deployer exited or the connection dropped) it terminates the whole process group,
 * then kills it 2 s later. The command itself gets /dev/null as stdin.
 *
 * The group's SIGTERM at teardown is the command's alone to answer: the wrapper outlives it (a
 * trap, which the command does not inherit) and exits with the command's own status once it
 * exits, however long that takes; the deployer kills the group after stopTimeoutMs.
 *
 * Usage: sh -c WATCHDOG hydro-watchdog <argv...>
 */
export const WATCHDOG = [
  "trap : TERM",
  "exec 3<&0",
  '"$@" </dev/null 3<&- &',
  "child=$!",
  "( trap '' TERM; cat <&3 >/dev/null; kill -TERM 0 2>/dev/null; sleep 2; kill -KILL 0 2>/dev/null ) >/dev/null 2>&1 &",
  "watcher=$!",
  "exec 3<&-",
  // A trapped signal ends `wait` early; wait again until the command itself has exited.
  "while :; do",
  "  wait $child",
  "  status=$?",
  "  kill -0 $child 2>/dev/null || break",
  "done",
  "kill -KILL $watcher 2>/dev/null",
  "exit $status",
].join("\n");
