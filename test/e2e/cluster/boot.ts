import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ClusterAddresses, bootableOffset } from "./booted-addresses.js";
import type { ClusterDescription } from "./cluster.js";
import { type HostExecResult, execInHost } from "./host-exec.js";
import { startHostInit } from "./host-init.js";
import { BOOTED_HOST_INDEX_BASE, clusterLayout } from "./layout.js";
import { addHostLink } from "./network.js";
import { waitUntilGone } from "./processes.js";
import { SESSION_PATH } from "./session-path.js";
import { renderSshdConfig } from "./sshd-config.js";
import { hostSshd, startSshd } from "./sshd.js";
import { removeHost } from "./teardown.js";

export interface BootRequest {
  /** Its hostname, and part of its namespace's and directory's names: e.g. an instance id. */
  readonly name: string;
  /** A free address of the cluster's /24: neither the bridge's nor a static host's nor another booted host's. */
  readonly address: string;
  /** What a cloud VM runs as root at first boot (EC2 user-data, GCE startup-script), run with `sh -c`. */
  readonly userData: string;
}

export interface BootedHost {
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
  /** Runs `sh -c command` as root inside the host, without SSH, like `ClusterHost.exec`. */
  exec(command: string): Promise<HostExecResult>;
  /** Whether the guest ran its power-off command. Nothing stops by itself: whoever watches decides what that means. */
  poweredOff(): boolean;
  /** Kills every process of the host and deletes its namespace, veth and directory. Safe to call twice. */
  remove(): Promise<void>;
}

const SSH_PORT = 22;
const USER_DATA_TIMEOUT_MS = 60_000;
/** The longest name `bootHost` takes: a hostname's limit. */
export const MAX_BOOTED_NAME = 63;
// Usable as a hostname and in namespace and file names.
const HOST_NAME = new RegExp(`^[a-z0-9][a-z0-9-]{0,${MAX_BOOTED_NAME - 1}}$`);

/**
 * Adds a host to a running cluster the way a cloud VM comes up: its own namespaces (network on
 * the cluster's bridge at `address`, PID, mount, UTS) and an empty /root, then its user data runs
 * as root, then its sshd starts with the host key that script installed and the authorized keys
 * it wrote to /root/.ssh. `removeClusters` finds it by name like every other host of the cluster.
 *
 * Hosts share the machine's file system, so the user data gets what `bootScript` needs to stay
 * inside the host's directory: HYDRO_BOOT_ROOT (a prefix for /etc and /var), HYDRO_POWEROFF (a
 * command that only leaves a marker for `poweredOff()`) and HYDRO_RESTART_SSHD (a no-op: sshd
 * starts after the script). A script that writes elsewhere writes to the real machine.
 */
export async function bootHost(cluster: ClusterDescription, request: BootRequest): Promise<BootedHost> {
  const { name, address } = request;
  if (!HOST_NAME.test(name)) throw new Error(`booted host name must match ${HOST_NAME}: ${JSON.stringify(name)}`);
  if (cluster.hosts.some((host) => host.name === name)) throw new Error(`cluster ${cluster.id} already has a static host "${name}"`);
  const clusterFiles = clusterLayout(cluster.id);
  const layout = bootedLayout(cluster, address, name);
  if (existsSync(`/sys/class/net/${layout.veth}`)) throw new Error(`${address} is already taken by a booted host of cluster ${cluster.id}`);
  // Not recursive: fails for a name booted already, before anything of that host is touched.
  await mkdir(layout.dir, { mode: 0o700 });
  const bootRoot = join(layout.dir, "boot-root");
  const poweredOffPath = join(layout.dir, "powered-off");
  const hostKeyPath = join(bootRoot, "etc/ssh/ssh_host_ed25519_key");
  const remove = async () => waitUntilGone(removeHost(layout).pids);
  try {
    await Promise.all([mkdir(layout.homeDir, { mode: 0o700 }), mkdir(bootRoot)]);
    await addHostLink({ bridge: clusterFiles.bridge, prefixLength: prefixLength(cluster.subnet) }, { namespace: layout.namespace, veth: layout.veth, address });
    const initPid = await startHostInit({
      namespace: layout.namespace,
      hostname: name,
      homeDir: layout.homeDir,
      pidFilePath: layout.initPidPath,
      hideNodeIn: [],
      scratchDir: layout.scratchDir,
    });
    const env = { HYDRO_BOOT_ROOT: bootRoot, HYDRO_POWEROFF: `touch ${shellQuote(poweredOffPath)}`, HYDRO_RESTART_SSHD: ":" };
    const boot = await execInHost(initPid, request.userData, { env, timeoutMs: USER_DATA_TIMEOUT_MS });
    if (boot.exitCode !== 0) throw new Error(`host ${name}: its user data failed (exit ${boot.exitCode ?? "by signal"}): ${boot.stderr.trim()}`);
    if (!existsSync(hostKeyPath)) throw new Error(`host ${name}: its user data installed no host key at $HYDRO_BOOT_ROOT/etc/ssh/ssh_host_ed25519_key`);
    await writeFile(
      layout.sshdConfigPath,
      renderSshdConfig({
        listenAddress: address,
        port: SSH_PORT,
        hostKeyPath,
        pidFilePath: layout.sshdPidPath,
        // Relative: the user's home, which inside the host is its own /root.
        authorizedKeysPath: ".ssh/authorized_keys",
        sessionPath: SESSION_PATH,
      }),
    );
    await startSshd(hostSshd(layout, initPid));
    return {
      name,
      namespace: layout.namespace,
      address,
      exec: (command) => execInHost(initPid, command),
      poweredOff: () => existsSync(poweredOffPath),
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Whether a booted host of the cluster (booted by whichever agent) has `address` now. */
export function bootedHostHas(cluster: ClusterAddresses & { readonly id: string }, address: string): boolean {
  return existsSync(`/sys/class/net/${bootedLayout(cluster, address).veth}`);
}

// The veth is named after the address, so two booted hosts can never share one.
function bootedLayout(cluster: ClusterAddresses & { readonly id: string }, address: string, name?: string) {
  return clusterLayout(cluster.id).host(BOOTED_HOST_INDEX_BASE + bootableOffset(cluster, address), name);
}

function prefixLength(cidr: string): number {
  return Number(cidr.split("/")[1]);
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
