import crypto from "node:crypto";
import { callsite, formatCallsite, type Callsite } from "../callsite.js";
import { ConfigError, HostLostError, TornDownError } from "../errors.js";
import { settleAll } from "../settle-all.js";
import { emit, step } from "../events.js";
import type { Host, LaunchedHost } from "../host.js";
import { HostDeclarer } from "../host-declarer.js";
import { LaunchedHosts } from "../launched-hosts.js";
import { hostPoolOptions, parse, type HostPoolInput } from "../options.js";
import { live } from "../registry.js";
import { DeploymentState } from "../state/state-file.js";

/**
 * Hosts that outlive a deployment, so that a sweep boots its VMs once (README "Host pools"). They
 * are declared on the pool, launched when the first deployment given the pool (`new Deployment({
 * hosts: pool })`) deploys, and kept — connections, VMs, uploaded bundles, the dead-man switch and
 * the state file's records — while deployments use them one after another. What a deployment
 * started on them goes with it (LaunchedHost.reset()). `release()`, or under the CLI the script's
 * end, an error or Ctrl-C, releases them as a deployment's teardown does.
 */
export class HostPool extends HostDeclarer {
  readonly id = crypto.randomBytes(4).toString("hex");
  private readonly options: { name?: string | undefined };
  private readonly state: DeploymentState;
  private readonly launched: LaunchedHosts;
  /** The deployment using the hosts now (one at a time), and the hosts it has asked for. */
  private user: { deployment: PoolUser; hosts: Set<Host> } | undefined;
  private released: Promise<void> | undefined;

  /** `stepsUnder`: where its steps sit in the progress tree (sweep() puts them under the sweep's). */
  constructor(
    options: HostPoolInput = {},
    private readonly stepsUnder: readonly string[] = [],
  ) {
    super();
    this.options = parse(hostPoolOptions, options, "new HostPool()", callsite());
    this.state = new DeploymentState(this.id, this.name);
    this.launched = new LaunchedHosts({
      id: this.id,
      name: this.name,
      state: this.state,
      launchStep: (host, launch) => (this.user ? this.user.deployment.launchStep(host, launch) : step([...this.stepsUnder, "hosts", host.name], launch)),
      lost: (host, reason) => this.lost(host, reason),
      retriesFailedLaunches: true,
    });
  }

  get name(): string {
    return this.options.name ?? `host pool ${this.id}`;
  }

  uses(host: Host): boolean {
    return host.owner === this;
  }

  protected checkDeclaring(site: Callsite | undefined, what: string): void {
    if (this.released) throw new ConfigError(`${formatCallsite(site)}: ${what}: ${this.name} is released; declare hosts on a pool before releasing it`);
  }

  protected checkDeclaringSingle(site: Callsite | undefined, what: string): void {
    this.checkDeclaring(site, what);
  }

  /** deploy() of a deployment given this pool: it uses the hosts until it is torn down. */
  acquire(deployment: PoolUser, site: Callsite | undefined): void {
    const where = `${formatCallsite(site)}: deploy()`;
    if (this.released) throw new TornDownError(this.name, `${where} of ${deployment.name}`, `its host pool ${this.name} was released`);
    if (this.user)
      throw new ConfigError(`${where}: the hosts of ${this.name} are in use by ${this.user.deployment.name}; tear it down before deploying ${deployment.name}`);
    this.user = { deployment, hosts: new Set() };
  }

  /** A host of the pool for its current deployment: launched once, kept between deployments. */
  launch(host: Host, deployment: PoolUser): Promise<LaunchedHost> {
    if (this.released) return Promise.reject(new TornDownError(deployment.name, `launching host "${host.name}"`, `its host pool ${this.name} was released`));
    if (this.user?.deployment !== deployment) return Promise.reject(new TornDownError(deployment.name, `launching host "${host.name}"`));
    this.user.hosts.add(host);
    // Live from its first host on: Ctrl-C and the script's end release it.
    live.add(this);
    return this.launched.launch(host);
  }

  /** The end of a deployment's teardown: what it left on the hosts it used is removed, and the pool is free for the next. */
  async giveBack(deployment: PoolUser): Promise<void> {
    const user = this.user;
    if (user?.deployment !== deployment) return;
    // Being released: every host goes anyway.
    if (this.released) return void (this.user = undefined);
    const warn = (host: Host) => (why: string) =>
      emit({
        type: "log",
        level: "warn",
        message: `host "${host.name}" of ${this.name} could not be reset (${why}); it is released, and the next deployment launches it again`,
      });
    // Every host is reset (or released) before the next deployment may have one.
    try {
      await settleAll([...user.hosts].map((host) => this.launched.reset(host, warn(host))));
    } finally {
      this.user = undefined;
    }
  }

  /** `host.terminate()`: its deployment's programs on it are stopped, and it is released now; the next use launches it again. */
  async terminateHost(host: Host): Promise<void> {
    if (this.user) await this.user.deployment.stopProgramsOn(host);
    await this.releaseHost(host);
  }

  /** Releases one host now (its deployment stopped its programs there); once the pool is released, that does. */
  releaseHost(host: Host): Promise<void> {
    return this.released ? Promise.resolve() : this.launched.releaseOne(host);
  }

  /** A host lost: released (a VM deleted), to be launched again when next used; the deployment using it fails. */
  private lost(host: Host, reason: string): void {
    if (this.released) return;
    void this.releaseHost(host).catch(() => {});
    const user = this.user?.deployment;
    if (user) user.lost(new HostLostError(host.name, `host "${host.name}" ${reason}; tearing down ${user.name}`));
    else emit({ type: "log", level: "warn", message: `host "${host.name}" of ${this.name} ${reason}; the next deployment launches it again` });
  }

  /**
   * Tears down the deployment using the hosts, if one is, then releases every host (cloud VMs are
   * deleted) and what they share. Safe to call twice; never rejects: what does not answer is named
   * in the step's failure.
   */
  release(): Promise<void> {
    if (this.released) return this.released;
    // Launches in progress give up; none starts from now on.
    this.launched.cancel();
    const user = this.user?.deployment;
    const releaseHosts = async () => {
      await user?.teardown();
      try {
        await this.launched.releaseAll();
      } finally {
        live.delete(this);
      }
    };
    // No host ever launched: nothing to release or report, but its deployment (still bundling, say) is torn down.
    this.released = live.has(this) ? step([...this.stepsUnder, "release hosts"], releaseHosts).catch(() => {}) : Promise.resolve(user?.teardown());
    return this.released;
  }

  /** Same as release(): what the CLI calls at the script's end, on an error or Ctrl-C. */
  teardown(): Promise<void> {
    return this.release();
  }

  /** At once (a second Ctrl-C): every launched host drops what it keeps on this machine. */
  kill(): void {
    this.launched.kill();
  }
}

/** What a pool needs of the deployment using it (the Deployment). */
export interface PoolUser {
  readonly name: string;
  /** Runs a launch as its step `deploy › hosts › <name>`. */
  launchStep(host: Host, launch: () => Promise<LaunchedHost>): Promise<LaunchedHost>;
  /** A host it uses was lost. */
  lost(error: HostLostError): void;
  /** Stops its programs on `host`, asking first. */
  stopProgramsOn(host: Host): Promise<void>;
  teardown(): Promise<void>;
}
