/**
 * A POSIX sh wrapper for process() commands, which do not speak the handshake: when its stdin
 * closes (the deployer exited or the connection dropped) it terminates the whole process group,
 * then kills it 2 s later. The command itself gets /dev/null as stdin.
 *
 * Usage: sh -c WATCHDOG hydro-watchdog <argv...>
 */
export const WATCHDOG = [
  "exec 3<&0",
  '"$@" </dev/null 3<&- &',
  "child=$!",
  "( trap '' TERM; cat <&3 >/dev/null; kill -TERM 0 2>/dev/null; sleep 2; kill -KILL 0 2>/dev/null ) >/dev/null 2>&1 &",
  "watcher=$!",
  "exec 3<&-",
  "wait $child",
  "status=$?",
  "kill -KILL $watcher 2>/dev/null",
  "exit $status",
].join("\n");
