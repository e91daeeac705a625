import { readFile, writeFile } from "node:fs/promises";
import { type HostExecResult, execInHost } from "./host-exec.js";
import { startHostInit } from "./host-init.js";
import type { HostLayout } from "./layout.js";
import { setLinkState } from "./network.js";
import { SESSION_PATH } from "./session-path.js";
import type { SshTarget } from "./ssh-client.js";
import { renderSshdConfig } from "./sshd-config.js";
import { hostSshd, startSshd, stopSshd } from "./sshd.js";

/** What a host is: everything needed to reach it, printable and written to cluster.json. */
export interface HostDescription extends SshTarget {
  /** host1, host2, …; also the host's `hostname`. */
  readonly name: string;
  /** Its network namespace, e.g. for `ip netns exec`. */
  readonly namespace: string;
  /** Private 10.x address where its sshd listens; reachable from the root namespace and the other hosts. */
  readonly address: string;
  readonly port: 22;
  readonly user: "root";
  /** "ssh-ed25519 AAAA…": the host key, to pin in advance. */
  readonly hostPublicKey: string;
  /** The host's /root as seen from outside it (hosts share the machine's file system otherwise). */
  readonly homeDir: string;
  /** Whether node is installed, as far as the host can tell. */
  readonly hasNode: boolean;
}

export type { HostExecResult } from "./host-exec.js";

export interface ClusterHost extends HostDescription {
  /**
   * Runs `sh -c command` inside the host without SSH: its network, processes, home directory and
   * hostname, and the environment an SSH session there gets. Never rejects on a non-zero exit.
   */
  exec(command: string): Promise<HostExecResult>;
  /** Kills its sshd listener and every session (SIGKILL): open connections drop, new ones are refused. */
  stopSshd(): Promise<void>;
  startSshd(): Promise<void>;
  /** Unplugs its link at the bridge: packets to and from it vanish, as with a pulled cable. */
  linkDown(): Promise<void>;
  linkUp(): Promise<void>;
  /** How many SSH logins its sshd has accepted so far (its log's "Accepted publickey" lines). */
  logins(): Promise<number>;
}

export interface HostPlan {
  readonly layout: HostLayout;
  readonly address: string;
  readonly port: 22;
  readonly hostPublicKey: string;
  readonly clientKeyPath: string;
  readonly authorizedKeysPath: string;
  readonly knownHostsPath: string;
  /** Directories whose node executables the host must not see; empty for a host with node. */
  readonly hideNodeIn: readonly string[];
}

/** Brings up a host in its (already wired) network namespace: its init, then its sshd. */
export async function startHost(plan: HostPlan): Promise<ClusterHost> {
  const { layout } = plan;
  await writeFile(
    layout.sshdConfigPath,
    renderSshdConfig({
      listenAddress: plan.address,
      port: plan.port,
      hostKeyPath: layout.hostKeyPath,
      pidFilePath: layout.sshdPidPath,
      authorizedKeysPath: plan.authorizedKeysPath,
      sessionPath: SESSION_PATH,
    }),
  );
  const initPid = await startHostInit({
    namespace: layout.namespace,
    hostname: layout.name,
    homeDir: layout.homeDir,
    pidFilePath: layout.initPidPath,
    hideNodeIn: plan.hideNodeIn,
    scratchDir: layout.scratchDir,
  });
  const sshd = hostSshd(layout, initPid);
  await startSshd(sshd);
  return {
    name: layout.name,
    namespace: layout.namespace,
    address: plan.address,
    port: plan.port,
    user: "root",
    privateKeyPath: plan.clientKeyPath,
    knownHostsPath: plan.knownHostsPath,
    hostPublicKey: plan.hostPublicKey,
    homeDir: layout.homeDir,
    hasNode: plan.hideNodeIn.length === 0,
    exec: (command) => execInHost(initPid, command),
    stopSshd: () => stopSshd(sshd),
    startSshd: () => startSshd(sshd),
    linkDown: () => setLinkState(layout.veth, "down"),
    linkUp: () => setLinkState(layout.veth, "up"),
    logins: async () => ((await readFile(layout.sshdLogPath, "utf8").catch(() => "")).match(/^.*Accepted publickey for /gm) ?? []).length,
  };
}
