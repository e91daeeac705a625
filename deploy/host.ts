import os from "node:os";
import type { Address } from "../runtime/protocol.js";
import type { Bundle } from "./bundle.js";
import type { DeploymentState } from "./state/state-file.js";

/**
 * The lifecycle of a machine, as types (docs/ARCHITECTURE.md §2): a Host is what the config declares;
 * `launch()` provisions it and returns a LaunchedHost that can run things; `teardown()`
 * leaves nothing behind. Every host kind (localhost, ssh, gcp, aws) implements Host.
 */
export interface Host {
  readonly name: string;
  /** The Deployment that declared it: a host is used only by its own deployment. */
  readonly owner: HostOwner;
  launch(context: LaunchContext): Promise<LaunchedHost>;
  /** Stops what runs on it and releases it now, before the rest of the deployment (a cloud VM is deleted). */
  terminate(): Promise<void>;
}

/** What declared a host (a Deployment, or a HostPool whose hosts outlive deployments): it runs and releases it. */
export interface HostOwner {
  terminateHost(host: Host): Promise<void>;
  /** Whether its programs (a Deployment's) or its hosts (a jump host) may use `host`: its own, or its pool's. */
  uses(host: Host): boolean;
}

/** What every host kind shares: its owner, its name, its checked options, and terminate() going through the owner. */
export abstract class DeclaredHost<Options = undefined> implements Host {
  constructor(
    readonly owner: HostOwner,
    readonly name: string,
    readonly options: Options,
  ) {}

  abstract launch(context: LaunchContext): Promise<LaunchedHost>;

  terminate(): Promise<void> {
    return this.owner.terminateHost(this);
  }
}

export interface LaunchContext {
  /** The deployment's id (in resource names and tags) and its state file, where cloud resources are recorded before they exist. */
  readonly deployment: { readonly id: string; readonly state: DeploymentState };
  /** Another host of the deployment, launched once and shared (e.g. a jump host). */
  launched(host: Host): Promise<LaunchedHost>;
  /** Aborted when the deployment is torn down: a launch still in progress gives up and cleans up. */
  signal: AbortSignal;
  /** Reports that the host became unreachable after launch: the deployment fails and tears down. */
  lost(host: Host, reason: string): void;
  /**
   * A resource several hosts share (a cloud network, a firewall, a key pair): `create` runs once per
   * deployment and `key`, whoever asks first; the `release` it returns runs after every host is torn
   * down, in the reverse order of creation. A failed creation is shared too (every host fails with it).
   */
  shared<T>(key: string, create: () => Promise<Shared<T>>): Promise<T>;
}

export interface Shared<T> {
  value: T;
  release(): Promise<void>;
}

export interface LaunchedHost {
  readonly name: string;
  /** True for the machine the deployer itself runs on, where the config script's own ports live. */
  readonly local: boolean;
  /**
   * Which network the host is on: hosts on one network reach each other at their `networkAddress`;
   * between networks, traffic goes through the deployer. `deployer` for the deployer's machine,
   * `ssh:<name>` for a hand-made SSH host (unless grouped with `network`), `aws:<region>/<vpc>`,
   * `gcp:<project>/<network>` for cloud VMs.
   */
  readonly network: string;
  /** Makes a bundle available on the host and returns its path there. */
  install(bundle: Bundle): Promise<{ path: string; uploaded: boolean }>;
  /** The node executable to run services with. */
  readonly node: string;
  /** A unix socket path for a server port that only clients on this machine use. */
  socketPath(label: string): string;
  /** The address hosts on the same network reach this host at; TCP ports bind there. */
  readonly networkAddress: string;
  /**
   * A fresh path in the host's run directory (removed with it), for what a program leaves for the
   * deployer to fetch with `download` (a CPU profile). A kind without both takes no profiles.
   */
  workPath?(label: string): string;
  /** Copies `remotePath` on the host to `localPath` on the deployer's machine. */
  download?(remotePath: string, localPath: string): Promise<void>;
  /** A TCP port that is free on the host now, for programs that cannot bind port 0 and report back. */
  freePort(): Promise<number>;
  spawn(command: Command): Promise<RunningProcess>;
  /** Whether something on the host accepts connections at `address` (a readiness probe). */
  accepts(address: Address): Promise<boolean>;
  /** A deployer-side address that reaches `address` on this host (an SSH tunnel, TCP on loopback; itself on localhost). */
  tunnelTo(address: Address): Promise<Address>;
  /** An address on this host that reaches the deployer-side `address` (a reverse SSH tunnel; itself on localhost). */
  tunnelFrom(address: Address): Promise<Address>;
  teardown(): Promise<void>;
  /**
   * For a host kept by a HostPool from one deployment to the next: removes what the deployment that
   * ends left there (its run directory's sockets, its programs' cgroups, its tunnels) and keeps the
   * rest (the connection, the VM, uploaded bundles). Rejects if the host no longer answers. A kind
   * without it is released when each deployment ends and launched again for the next.
   */
  reset?(): Promise<void>;
  /** How long teardown() may take before the deployment gives up on it (default 10 s; a cloud VM waits for its deletion). */
  readonly teardownTimeoutMs?: number;
  /** At once and synchronously (a second Ctrl-C): removes what it keeps on this machine and drops its connections. */
  kill(): void;
}

export interface Command {
  argv: string[];
  env: Record<string, string>;
  /** Unique to the program in this deployment: what finds everything it started (deploy/containment.ts). */
  marker: string;
}

export interface Exit {
  code: number | null;
  signal: string | null;
}

/** What the deployer sends a program: a stop (SIGTERM), a kill, or what the script's `kill(signal)` may send. */
export const PROGRAM_SIGNALS = ["SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;
export type ProgramSignal = (typeof PROGRAM_SIGNALS)[number];

/** A started command. Signals go to its whole process group, so helpers it spawned go too. */
export interface RunningProcess {
  readonly stdin: NodeJS.WritableStream;
  readonly stdout: NodeJS.ReadableStream;
  readonly stderr: NodeJS.ReadableStream;
  readonly exited: Promise<Exit>;
  /** SIGKILL also reaches everything the program started, wherever it went (deploy/containment.ts). */
  signal(signal: ProgramSignal | "SIGSTOP" | "SIGCONT"): void;
  /** Stops waiting for it: closes its pipes (or channel), so nothing of it keeps the deployer busy. */
  abandon(): void;
}

/** An exit as one number, as a shell reports it: the code, or 128 + the signal number if a signal ended it. */
export function exitCodeOf({ code, signal }: Exit): number {
  return code ?? 128 + (signal ? (os.constants.signals[signal as NodeJS.Signals] ?? 0) : 0);
}

export function describeExit({ code, signal }: Exit): string {
  if (signal) return `was killed by ${signal}`;
  return code === null ? "lost its connection to the host" : `exited with code ${code}`;
}

export type { Address };
