// Process groups of servers this test process started, killed when it ends without stopping them:
// on exit (synchronously) and on SIGINT/SIGTERM/SIGHUP (then the signal's default action, unless
// someone else handles it).
const groups = new Set<number>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export function killGroupOnExit(pid: number): void {
  if (groups.size === 0) listen(true);
  groups.add(pid);
}

export function forgetGroup(pid: number): void {
  if (groups.delete(pid) && groups.size === 0) listen(false);
}

function listen(on: boolean): void {
  const method = on ? "on" : "off";
  process[method]("exit", killAll);
  for (const signal of SIGNALS) process[method](signal, onSignal);
}

function killAll(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  groups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  listen(false);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
