// The dead-man switch seen from outside the guest, for both boot agents: a booted host whose guest
// ran its power-off command is removed (the machine is off), then its cloud is told, once.
import type { BootedHosts } from "./booted-hosts.js";
import { type Polling, startPolling } from "./polling.js";

export function watchPoweredOff(hosts: BootedHosts, tellCloud: (key: string) => Promise<void>, pollMs = 200): Polling {
  return startPolling(
    pollMs,
    async () => {
      await Promise.all(
        hosts.poweredOff().map(async (key) => {
          // Gone from `booted()` at once, so the next round does not see it again.
          await hosts.remove(key);
          await hosts.attempt(`instance ${key}`, () => tellCloud(key));
        }),
      );
    },
    (error) => hosts.report("watching for powered-off guests", error),
  );
}
