import crypto from "node:crypto";
import { callsite, formatCallsite, type Callsite } from "./callsite.js";
import { ConfigError, HostLostError, TornDownError, combine } from "./errors.js";
import { emit, interruptedBy, step } from "./events.js";
import type { Host, HostOwner } from "./host.js";
import { hostKind } from "./host-kind.js";
import "./builtin-host-kinds.js";
import {
  deploymentOptions,
  externalOptions,
  parse,
  parseCluster,
  parseProcess,
  parseService,
  type ClusterInput,
  type DeploymentInput,
  type DeploymentOptions,
  type ExternalInput,
  type ProcessInput,
  type ServiceInput,
} from "./options.js";
import type { SshInput } from "./ssh/options.js";
import type { AwsInput } from "./aws/options.js";
import type { GcpInput } from "./gcp/options.js";
import type { Edge } from "./ports.js";
import { live, reportFatal } from "./registry.js";
import { LaunchedHosts } from "./launched-hosts.js";
import { bringUp } from "./bring-up.js";
import { stopOrder } from "./stop-order.js";
import { DeploymentState } from "./state/state-file.js";
import type { DeployNode } from "./nodes/node.js";
import type { NodeOwner, Phase } from "./nodes/owner.js";
import { Service } from "./nodes/service.js";
import { ProcessNode } from "./nodes/process.js";
import { External } from "./nodes/external.js";
import { Cluster } from "./nodes/cluster.js";
import { Network } from "./faults/network.js";

/**
 * A set of hosts and the programs on them, wired port to port. Declare, then `deploy()`;
 * `teardown()` (also run by the CLI when the script ends, throws or is interrupted) stops
 * everything and releases every host. The phases are deploy/bring-up.ts, the hosts' lifecycle
 * deploy/launched-hosts.ts; this class declares, and keeps the phase.
 */
export class Deployment implements HostOwner, NodeOwner {
  readonly id = crypto.randomBytes(4).toString("hex");
  readonly options: DeploymentOptions;
  readonly edges: Edge[] = [];
  private readonly nodes: DeployNode[] = [];
  /** Cloud resources, recorded before they exist (.hydro/state/<id>.json), for `hydro down`. */
  private readonly state: DeploymentState;
  private readonly hosts: LaunchedHosts;
  /** Hosts of kinds with one per deployment (localhost), by kind. */
  private readonly singleHosts = new Map<string, Host>();
  private readonly hostNames = new Set<string>();
  private currentPhase: Phase = "declaring";
  private tearingDown: Promise<void> | undefined;
  /** Faults on the running deployment's ports: partition, delay, loss, heal (deploy/faults/network.ts). */
  readonly network: Network = new Network(this);

  /**
   * `stepsUnder`: where its steps sit in the progress tree, at the root by default; sweep() puts
   * each point's deployment under that point's step.
   */
  constructor(
    options: DeploymentInput = {},
    readonly stepsUnder: readonly string[] = [],
  ) {
    this.options = parse(deploymentOptions, options, "new Deployment()", callsite());
    this.state = new DeploymentState(this.id, this.name);
    this.hosts = new LaunchedHosts({
      id: this.id,
      name: this.name,
      state: this.state,
      launchStep: (host, launch) => this.step(["deploy", "hosts", host.name], launch),
      lost: (error) => this.lost(error),
    });
  }

  get name(): string {
    return this.options.name ?? `deployment ${this.id}`;
  }

  /** Where it is in its life: declaring until deploy(), running once deploy() has returned, torn down from teardown() on. */
  get phase(): Phase {
    return this.currentPhase;
  }

  /**
   * A host of a registered kind (deploy/host-kind.ts): the built-in `localhost`, `ssh`, `aws`,
   * `gcp`, or a plug-in's. `options` are the kind's own, checked now.
   */
  host(kind: string, options?: unknown): Host {
    const site = callsite();
    const registered = this.declaring(site, `host("${kind}")`, () => hostKind(kind));
    const single = registered.single ? this.singleHosts.get(kind) : undefined;
    if (single) return single;
    // A single host is also where the deployer itself runs things (localhost): made on demand, even while deploying.
    if (!registered.single) this.assertDeclaring(site, `${kind}()`);
    const parsed = registered.parse(options, { site, owner: this });
    const { given, fallback } = registered.hostName(parsed);
    // A kind with a cleanup keys its records and tags by host name: those names are unique.
    const name = registered.cleanup ? this.uniqueHostName(given, fallback, site) : (given ?? fallback);
    const host = registered.create(this, name, parsed);
    if (registered.single) this.singleHosts.set(kind, host);
    return host;
  }

  /** The machine the deployer runs on. */
  localhost(): Host {
    return this.host("localhost");
  }

  /** A machine reached over SSH (the ssh2 package), optionally through a `jump` host. */
  ssh(options: SshInput): Host {
    return this.host("ssh", options);
  }

  /** An AWS EC2 VM, provisioned at deploy() and terminated at teardown (the @aws-sdk/client-ec2 package, loaded only then). */
  aws(options: AwsInput): Host {
    return this.host("aws", options);
  }

  /** A GCP Compute Engine VM, created at deploy() and deleted at teardown (@google-cloud/compute, loaded only then). */
  gcp(options: GcpInput): Host {
    return this.host("gcp", options);
  }

  /** A TS/JS program that imports hydro-deploy/runtime; `src` is relative to the file that declares it. */
  service(options: ServiceInput): Service {
    const site = callsite();
    this.assertDeclaring(site, "service()");
    return this.add(new Service(this, parseService(options, site, this, this.uniqueName), site));
  }

  /**
   * `count` members of one TS/JS program, named `<name>.<id>`, spread over `on` (a host or a list)
   * round-robin; each reads its id from the runtime's `self()`. Its `ports` wire every member at once.
   */
  cluster(options: ClusterInput): Cluster {
    const site = callsite();
    this.assertDeclaring(site, "cluster()");
    const cluster = new Cluster(this, parseCluster(options, site, this, this.uniqueName), site);
    for (const member of cluster.members) this.add(member);
    return cluster;
  }

  /** Any other command; `{port:NAME}`, `{host:NAME}`, `{addr:NAME}` in it are replaced by its ports' addresses. */
  process(options: ProcessInput): ProcessNode {
    const site = callsite();
    this.assertDeclaring(site, "process()");
    return this.add(new ProcessNode(this, parseProcess(options, site, this, this.uniqueName), site));
  }

  /** Ports held by the config script itself: wire them, then send on them or iterate them after deploy(). */
  external(options?: ExternalInput): External {
    const site = callsite();
    this.assertDeclaring(site, "external()");
    const { name } = parse(externalOptions, options, "external()", site);
    return this.add(new External(this, this.uniqueName(name, "external"), site));
  }

  private step<T>(path: string[], work: () => Promise<T>, describe?: (result: T) => { detail?: string; skipped?: boolean }): Promise<T> {
    return step([...this.stepsUnder, ...path], work, describe);
  }

  private add<N extends DeployNode>(node: N): N {
    this.nodes.push(node);
    return node;
  }

  /** Cloud hosts' names key their records and tags: unique in the deployment (`aws-eu-west-1`, `aws-eu-west-1-2`, …). */
  private uniqueHostName(wanted: string | undefined, fallback: string, site: Callsite | undefined): string {
    if (wanted !== undefined && this.hostNames.has(wanted))
      throw new ConfigError(`${formatCallsite(site)}: the host name "${wanted}" is already used in ${this.name}`);
    let name = wanted ?? fallback;
    for (let n = 2; this.hostNames.has(name); n++) name = `${fallback}-${n}`;
    this.hostNames.add(name);
    return name;
  }

  private readonly uniqueName = (wanted: string | undefined, fallback: string): string => {
    const taken = new Set(this.nodes.map((node) => node.name));
    if (wanted !== undefined) {
      if (taken.has(wanted)) throw new ConfigError(`${formatCallsite(callsite())}: the name "${wanted}" is already used in ${this.name}`);
      return wanted;
    }
    let name = fallback;
    for (let n = 2; taken.has(name); n++) name = `${fallback}-${n}`;
    return name;
  };

  /** Called by PortRef.connect/demux. */
  wire(edge: Edge): void {
    this.assertDeclaring(edge.site, `connecting ${edge.from} to ${edge.to}`);
    this.edges.push(edge);
  }

  private assertDeclaring(site: Callsite | undefined, what: string): void {
    if (this.phase !== "declaring")
      throw new ConfigError(`${formatCallsite(site)}: ${what}: ${this.name} is already ${this.phase}; declare everything before deploy()`);
  }

  /** Runs a declaration's lookup with its errors said at the config's line. */
  private declaring<T>(site: Callsite | undefined, what: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof ConfigError && site) throw new ConfigError(`${formatCallsite(site)}: ${what}: ${error.message}`);
      throw error;
    }
  }

  /** Bundles, provisions, binds, wires and starts everything; on any failure tears down what it started. */
  async deploy(): Promise<void> {
    this.assertDeclaring(callsite(), "deploy()");
    // After Ctrl-C the CLI is tearing down what is live: something started now would outlive it.
    const interruption = interruptedBy();
    if (interruption) throw new TornDownError(this.name, `${this.name}: deploy()`, `the run was ${interruption}`);
    this.currentPhase = "deploying";
    live.add(this);
    try {
      await this.step(["deploy"], () =>
        bringUp({
          owner: this,
          nodes: this.nodes,
          edges: this.edges,
          localhost: this.localhost(),
          hosts: this.hosts,
          step: (path, work, describe) => this.step(["deploy", ...path], work, describe),
          throwIfTornDown: () => this.throwIfTornDown(),
        }),
      );
      this.throwIfTornDown();
      this.currentPhase = "running";
    } catch (error) {
      // Torn down from outside (Ctrl-C, the script): that is the reason, not what it broke on the way.
      const reason = this.tornDown ? new TornDownError(this.name, "deploy()") : error;
      await this.teardown();
      throw reason;
    }
  }

  /** teardown() during deploy() (Ctrl-C, a lost host, the script): stop starting things. */
  private throwIfTornDown(): void {
    if (this.tornDown) throw new TornDownError(this.name, "deploy()");
  }

  /** A getter, not a field read, because teardown() may change the phase while deploy() awaits. */
  private get tornDown(): boolean {
    return this.phase === "torn down";
  }

  /** A host lost after deploy() returned fails the run; during deploy() its launch or program fails already. */
  private lost(error: HostLostError): void {
    if (this.phase !== "running") return;
    // The CLI reports it as the run's failure; a script without the CLI still sees it logged.
    if (!reportFatal(error)) emit({ type: "log", level: "error", message: error.message });
    void this.teardown();
  }

  /**
   * Stops every program (asking first, killing after its stopTimeoutMs), senders before their
   * receivers (deploy/stop-order.ts), and releases every host.
   * Every wait is bounded: what does not answer is given up on and named in the teardown step's
   * failure. Safe to call twice; never rejects.
   */
  teardown(): Promise<void> {
    this.tearingDown ??= this.step(["teardown"], async () => {
      this.currentPhase = "torn down";
      const interruption = interruptedBy();
      this.hosts.cancel(interruption && `the run was ${interruption}`);
      // Senders first, so that what a program sends as it stops reaches receivers still running.
      const stopped: PromiseSettledResult<void>[] = [];
      for (const wave of stopOrder(this.nodes, this.edges)) stopped.push(...(await Promise.allSettled(wave.map((node) => node.stop()))));
      const released = await Promise.allSettled([this.hosts.releaseAll()]);
      live.delete(this);
      const unanswered = [...stopped, ...released].flatMap((result) => (result.status === "rejected" ? [(result.reason as Error).message] : []));
      if (unanswered.length) throw combine(unanswered);
    }).catch(() => {});
    return this.tearingDown;
  }

  /**
   * `host.terminate()`: stops every program on the host (asking, then killing after its
   * stopTimeoutMs) and releases it now; a cloud VM is deleted. The rest of the deployment runs on.
   */
  async terminateHost(host: Host): Promise<void> {
    await Promise.allSettled(this.nodes.filter((node) => node.host === host).map((node) => node.stop()));
    await this.hosts.releaseOne(host);
  }

  /** Same as teardown(). */
  stop(): Promise<void> {
    return this.teardown();
  }

  /**
   * Kills everything at once, without waiting (a second Ctrl-C): every program gets SIGKILL, and
   * each host's run directory on this machine is removed before kill() returns.
   */
  kill(): void {
    this.currentPhase = "torn down";
    for (const node of this.nodes) node.killAtOnce();
    this.hosts.kill();
  }
}
