import type { Address, Command, LaunchedHost, RunningProcess } from "../host.js";
import type { Bundle } from "../bundle.js";
import type { LaunchedSshHost } from "../ssh/launched.js";

/** How long a cloud VM's release may take (SSH teardown, then the provider deleting the VM and saying so). */
export const VM_RELEASE_MS = 10 * 60_000;

/**
 * A cloud VM once it is up: an SSH host (deploy/ssh `connectSsh`) for everything it runs, whose
 * teardown also deletes the VM. `kill()` (a second Ctrl-C) cannot wait for the provider: the VM
 * stays recorded in the state file for `hydro down`, and its dead-man switch powers it off.
 */
export class LaunchedVm implements LaunchedHost {
  readonly local = false;
  readonly teardownTimeoutMs = VM_RELEASE_MS;

  constructor(
    private readonly ssh: LaunchedSshHost,
    private readonly deleteVm: () => Promise<void>,
  ) {}

  get name(): string {
    return this.ssh.name;
  }
  get network(): string {
    return this.ssh.network;
  }
  get node(): string {
    return this.ssh.node;
  }
  get networkAddress(): string {
    return this.ssh.networkAddress;
  }
  install(bundle: Bundle): Promise<{ path: string; uploaded: boolean }> {
    return this.ssh.install(bundle);
  }
  socketPath(label: string): string {
    return this.ssh.socketPath(label);
  }
  workPath(label: string): string {
    return this.ssh.workPath(label);
  }
  download(remotePath: string, localPath: string): Promise<void> {
    return this.ssh.download(remotePath, localPath);
  }
  freePort(): Promise<number> {
    return this.ssh.freePort();
  }
  spawn(command: Command): Promise<RunningProcess> {
    return this.ssh.spawn(command);
  }
  accepts(address: Address): Promise<boolean> {
    return this.ssh.accepts(address);
  }
  tunnelTo(address: Address): Promise<Address> {
    return this.ssh.tunnelTo(address);
  }
  tunnelFrom(address: Address): Promise<Address> {
    return this.ssh.tunnelFrom(address);
  }

  async reset(): Promise<void> {
    if (!this.ssh.reset) throw new Error("internal error: a VM's SSH host cannot be reset");
    await this.ssh.reset();
  }

  async teardown(): Promise<void> {
    await this.ssh.teardown().catch(() => {});
    await this.deleteVm();
  }

  kill(): void {
    this.ssh.kill();
  }
}
