import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { nsenterArgs } from "./host-init.js";
import type { HostLayout } from "./layout.js";
import { SSHD_PATH } from "./packages.js";
import { processesInNamespaces, signalNow, waitUntilGone } from "./processes.js";

export interface SshdInstance {
  readonly hostName: string;
  readonly namespace: string;
  readonly initPid: number;
  readonly configPath: string;
  readonly pidFilePath: string;
  readonly logPath: string;
}

const START_TIMEOUT_MS = 10_000;

/** The sshd of the host laid out as `layout`, whose init is `initPid`. */
export function hostSshd(layout: HostLayout, initPid: number): SshdInstance {
  return {
    hostName: layout.name,
    namespace: layout.namespace,
    initPid,
    configPath: layout.sshdConfigPath,
    pidFilePath: layout.sshdPidPath,
    logPath: layout.sshdLogPath,
  };
}

/** Starts the host's sshd (in the foreground, under an `nsenter` of ours); resolves once it listens. */
export async function startSshd(sshd: SshdInstance): Promise<void> {
  await rm(sshd.pidFilePath, { force: true });
  const command = [SSHD_PATH, "-D", "-f", sshd.configPath, "-E", sshd.logPath];
  const child = spawn("nsenter", nsenterArgs(sshd.initPid, command), { detached: true, stdio: "ignore" });
  child.unref();
  let exit: string | undefined;
  child.once("exit", (code, signal) => (exit = `exited (${signal ?? code})`));
  child.once("error", (error) => (exit = error.message));
  const deadline = Date.now() + START_TIMEOUT_MS;
  // sshd writes its pid file (holding its pid inside the host) once its listening socket is bound.
  while (!(await readFile(sshd.pidFilePath, "utf8").catch(() => ""))) {
    if (exit !== undefined || Date.now() > deadline) {
      const log = await readFile(sshd.logPath, "utf8").catch(() => "");
      throw new Error(`host ${sshd.hostName}: sshd ${exit ?? "did not start listening"}; ${sshd.logPath}:\n${log}`);
    }
    await sleep(5);
  }
}

/**
 * Kills (SIGKILL) every sshd process of the host: the listener and each connection's session
 * process, so open SSH connections drop as they would if the machine's sshd died.
 */
export async function stopSshd(sshd: SshdInstance): Promise<void> {
  // A connection the listener accepted just before its kill may fork a child after our scan: scan
  // again until none is left. OpenSSH ≥ 9.8 runs sessions as "sshd-session".
  const killed = new Set<number>();
  const ourNsenters = new Set<number>();
  for (;;) {
    const sshds = processesInNamespaces([sshd.namespace]).filter((process) => process.comm.startsWith("sshd") && !killed.has(process.pid));
    if (sshds.length === 0) break;
    signalNow(sshds.map((process) => process.pid));
    for (const process of sshds) {
      killed.add(process.pid);
      // Also wait for our nsenter that started the listener, so nothing of this sshd is left.
      if (process.ppid !== sshd.initPid) ourNsenters.add(process.ppid);
    }
    await waitUntilGone([...killed, ...ourNsenters]);
  }
  await rm(sshd.pidFilePath, { force: true });
}
