import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Every name a cluster creates starts with a fixed prefix followed by the cluster id, so that
// `cluster:down` can find what a crashed run left behind without any record of it.
const NAMESPACE_PREFIX = "hydro-t";
// Link names are limited to 15 characters: "hydt" + 6-hex id + "br" | "v" + up to 4 digits.
const LINK_PREFIX = "hydt";
const ID_BYTES = 3;

/**
 * Hosts booted into a running cluster (boot.ts) get indices from here up, so their veths never
 * collide with the static hosts' (1 … MAX_HOSTS), and their names still fit (4 digits).
 */
export const BOOTED_HOST_INDEX_BASE = 1000;

/** Each host directory records its init's pid here: killing the init ends every process of the host. */
export const INIT_PID_FILE = "init.pid";
/** A cluster started by `cluster:up` records the pid of the process that keeps it here. */
export const KEEPER_PID_FILE = "keeper.pid";

/** Where every cluster keeps its keys, configs, pid files, logs and host home directories. */
export const STATE_ROOT = join(tmpdir(), "hydro-cluster");

export function newClusterId(): string {
  return randomBytes(ID_BYTES).toString("hex");
}

export function isClusterId(text: string): boolean {
  return new RegExp(`^[0-9a-f]{${ID_BYTES * 2}}$`).test(text);
}

export interface HostLayout {
  /** Host name, also the host's `hostname`: host1, host2, … (a booted host's is its own, e.g. an instance id) */
  readonly name: string;
  readonly namespace: string;
  /** Root-namespace end of the host's veth pair, attached to the bridge; the host sees `eth0`. */
  readonly veth: string;
  readonly dir: string;
  /** Bind-mounted over /root inside the host, so hosts do not share a home directory. */
  readonly homeDir: string;
  readonly hostKeyPath: string;
  readonly sshdConfigPath: string;
  readonly sshdPidPath: string;
  readonly sshdLogPath: string;
  readonly initPidPath: string;
  /** Empty here; inside the host a private tmpfs holding what hides node (on hosts without node). */
  readonly scratchDir: string;
}

export interface ClusterLayout {
  readonly id: string;
  readonly dir: string;
  readonly bridge: string;
  readonly clientKeyPath: string;
  readonly authorizedKeysPath: string;
  readonly knownHostsPath: string;
  readonly manifestPath: string;
  /** Host `index`, named host<index> unless it is a booted host with a name of its own. */
  host(index: number, name?: string): HostLayout;
}

export function clusterLayout(id: string): ClusterLayout {
  const dir = join(STATE_ROOT, id);
  return {
    id,
    dir,
    bridge: `${LINK_PREFIX}${id}br`,
    clientKeyPath: join(dir, "id_ed25519"),
    authorizedKeysPath: join(dir, "authorized_keys"),
    knownHostsPath: join(dir, "known_hosts"),
    manifestPath: join(dir, "cluster.json"),
    host(index, name = `host${index}`) {
      const hostDir = join(dir, name);
      return {
        name,
        namespace: `${NAMESPACE_PREFIX}${id}-${name}`,
        veth: `${LINK_PREFIX}${id}v${index}`,
        dir: hostDir,
        homeDir: join(hostDir, "home"),
        hostKeyPath: join(hostDir, "ssh_host_ed25519_key"),
        sshdConfigPath: join(hostDir, "sshd_config"),
        sshdPidPath: join(hostDir, "sshd.pid"),
        sshdLogPath: join(hostDir, "sshd.log"),
        initPidPath: join(hostDir, INIT_PID_FILE),
        scratchDir: join(hostDir, "scratch"),
      };
    },
  };
}

/** Which clusters an operation applies to: one by id, or every cluster on the machine. */
export type ClusterSelector = { readonly id: string } | "all";

export function isClusterNamespace(name: string, which: ClusterSelector): boolean {
  return name.startsWith(which === "all" ? NAMESPACE_PREFIX : `${NAMESPACE_PREFIX}${which.id}-`);
}

export function isClusterLink(name: string, which: ClusterSelector): boolean {
  // Ids have a fixed length, so the prefix with an id never matches another cluster's links.
  return name.startsWith(which === "all" ? LINK_PREFIX : `${LINK_PREFIX}${which.id}`);
}

export function isClusterStateDir(name: string, which: ClusterSelector): boolean {
  return which === "all" ? isClusterId(name) : name === which.id;
}
