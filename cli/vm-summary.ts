import type { VmStatus } from "../deploy/cloud/provider.js";

/** `t3.micro running, launched 3 min ago: billed while running (0.1 h so far)`: what a VM is and whether it costs, without prices (they go stale). */
export function vmSummary(vm: VmStatus, now = Date.now()): string {
  const launched = vm.launchedAt ? `, launched ${age(vm.launchedAt, now)} ago` : "";
  return `${vm.machineType} ${vm.state}${launched}: ${costHint(vm, now)}`;
}

function costHint(vm: VmStatus, now: number): string {
  switch (vm.billing) {
    case "running":
      return vm.runningSince ? `billed while running (${hours(vm.runningSince, now)} h so far)` : "billed while running";
    case "stopped":
      return "disk still billed";
    case "starting":
      return "billed once running";
    case "deleting":
      return "being deleted";
  }
}

const seconds = (since: string, now: number) => Math.max(0, (now - Date.parse(since)) / 1000);

/** Hours with one decimal under 10 h, whole hours above. */
function hours(since: string, now: number): string {
  const value = seconds(since, now) / 3600;
  return value < 10 ? value.toFixed(1) : String(Math.round(value));
}

/** `42 s`, `12 min`, `3 h`. */
export function age(since: string, now = Date.now()): string {
  const elapsed = Math.round(seconds(since, now));
  if (elapsed < 120) return `${elapsed} s`;
  if (elapsed < 7200) return `${Math.round(elapsed / 60)} min`;
  return `${Math.round(elapsed / 3600)} h`;
}
