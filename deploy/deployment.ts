import crypto from "node:crypto";
import { callsite, formatCallsite, type Callsite } from "./callsite.js";
import { ConfigError, HostLostError, TornDownError, combine } from "./errors.js";
import { emit, interruptedBy, step, type DescribeStep } from "./events.js";
import type { Host, LaunchedHost } from "./host.js";
import { HostDeclarer } from "./host-declarer.js";
import {
  deploymentOptions,
  externalOptions,
  parse,
  parseCluster,
  parseProcess,
  parseService,
  type ClusterInput,
  type DeploymentInput as OwnOptionsInput,
  type DeploymentOptions,
  type ExternalInput,
  type ProcessInput,
  type ServiceInput,
} from "./options.js";
import type { Edge } from "./ports.js";
import { live, reportFatal } from "./registry.js";
import { LaunchedHosts } from "./launched-hosts.js";
import { bringUp, checkAndBundle } from "./bring-up.js";
import { activePlanner } from "./plan/planning.js";
import { MetricStream } from "./metrics/stream.js";
import type { MetricSample } from "./metrics/sample.js";
import { topologyOf, type Topology } from "./plan/topology.js";
import { stopOrder } from "./stop-order.js";
import { DeploymentState } from "./state/state-file.js";
import type { DeployNode } from "./nodes/node.js";
import type { NodeOwner, Phase } from "./nodes/owner.js";
import { Service } from "./nodes/service.js";
import { ProcessNode } from "./nodes/process.js";
import { External } from "./nodes/external.js";
import { Cluster } from "./nodes/cluster.js";
import { Network } from "./faults/network.js";
import { HostPool, type PoolUser } from "./pool/host-pool.js";

export type DeploymentInput = OwnOptionsInput & {
  /** A HostPool whose hosts this deployment may use besides its own: they outlive it (README "Host pools"). */
  hosts?: HostPool;
};

/**
 * A set of hosts and the programs on them, wired port to port. Declare, then `deploy()`;
 * `teardown()` (also run by the CLI when the script ends, throws or is interrupted) stops
 * everything and releases every host. The phases are deploy/bring-up.ts, the hosts' lifecycle
 * deploy/launched-hosts.ts; this class declares, and keeps the phase.
 */
export class Deployment extends HostDeclarer implements NodeOwner {
  readonly id = crypto.randomBytes(4).toString("hex");
  readonly options: DeploymentOptions;
  readonly edges: Edge[] = [];
  private readonly nodes: DeployNode[] = [];
  private readonly clusters: Cluster[] = [];
  private readonly samples = new MetricStream();
  /** Cloud resources, recorded before they exist (.hydro/state/<id>.json), for `hydro down`. */
  private readonly state: DeploymentState;
  private readonly hosts: LaunchedHosts;
  /** The pool whose hosts it may use (`{ hosts: pool }`), and what the pool knows it by. */
  private readonly pool: HostPool | undefined;
  private readonly poolUser: PoolUser;
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
    super();
    const site = callsite();
    if (options instanceof HostPool)
      throw new ConfigError(`${site ? `${formatCallsite(site)}: ` : ""}new Deployment(): a HostPool is given as an option: new Deployment({ hosts: pool })`);
    const { hosts: pool, ...own } = typeof options === "object" && options !== null ? options : { hosts: undefined };
    this.options = parse(deploymentOptions, typeof options === "object" && options !== null ? own : options, "new Deployment()", site);
    if (pool !== undefined && !(pool instanceof HostPool))
      throw new ConfigError(`${site ? `${formatCallsite(site)}: ` : ""}new Deployment(): hosts: expected a HostPool, got ${given(pool)}`);
    this.pool = pool;
    this.state = new DeploymentState(this.id, this.name);
    const launchStep = (host: Host, launch: () => Promise<LaunchedHost>) => this.step(["deploy", "hosts", host.name], launch);
    this.hosts = new LaunchedHosts({
      id: this.id,
      name: this.name,
      state: this.state,
      launchStep,
      lost: (host, reason) => this.lost(new HostLostError(host.name, `host "${host.name}" ${reason}; tearing down ${this.name}`)),
      launchedElsewhere: (host) => (pool?.uses(host) ? pool.launch(host, this.poolUser) : undefined),
    });
    this.poolUser = {
      name: this.name,
      launchStep,
      lost: (error) => this.lost(error),
      stopProgramsOn: (host) => this.stopProgramsOn(host),
      teardown: () => this.teardown(),
    };
  }

  get name(): string {
    return this.options.name ?? `deployment ${this.id}`;
  }

  /** Where it is in its life: declaring until deploy(), running once deploy() has returned, torn down from teardown() on. */
  get phase(): Phase {
    return this.currentPhase;
  }

  uses(host: Host): boolean {
    return host.owner === this || (this.pool?.uses(host) ?? false);
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
    this.clusters.push(cluster);
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

  /**
   * Every program's metrics samples (deploy/metrics/), from now until teardown: each program's every
   * `metricsIntervalMs` (1 s by default). An iterator left unread keeps its newest 4096 samples.
   */
  metrics(): AsyncIterableIterator<MetricSample> {
    return this.samples.iterate();
  }

  metric(sample: MetricSample): void {
    emit({ type: "metric", ...sample });
    this.samples.push(sample);
  }

  /** Called by PortRef.connect/demux. */
  wire(edge: Edge): void {
    this.assertDeclaring(edge.site, `connecting ${edge.from} to ${edge.to}`);
    this.edges.push(edge);
  }

  protected checkDeclaring(site: Callsite | undefined, what: string): void {
    this.assertDeclaring(site, what);
  }

  private assertDeclaring(site: Callsite | undefined, what: string): void {
    if (this.phase !== "declaring")
      throw new ConfigError(`${formatCallsite(site)}: ${what}: ${this.name} is already ${this.phase}; declare everything before deploy()`);
  }

  /** Bundles, provisions, binds, wires and starts everything; on any failure tears down what it started. */
  async deploy(): Promise<void> {
    const site = callsite();
    this.assertDeclaring(site, "deploy()");
    // After Ctrl-C the CLI is tearing down what is live: something started now would outlive it.
    const interruption = interruptedBy();
    if (interruption) throw new TornDownError(this.name, `${this.name}: deploy()`, `the run was ${interruption}`);
    const planner = activePlanner();
    if (planner) return this.plan(planner);
    this.pool?.acquire(this.poolUser, site);
    this.currentPhase = "deploying";
    emit({ type: "topology", ...topologyOf(this.name, this.nodes, this.edges, this.clusters, this.localhost()) });
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

  /** `hydro plan`: checks and bundles as deploy() would, hands over the topology, and never returns (deploy/plan/planning.ts). */
  private async plan(planner: (topology: Topology) => void): Promise<never> {
    const step = <T>(path: string[], work: () => Promise<T>, describe?: DescribeStep<T>) => this.step(["plan", ...path], work, describe);
    await checkAndBundle({ owner: this, nodes: this.nodes, edges: this.edges, step });
    planner(topologyOf(this.name, this.nodes, this.edges, this.clusters, this.localhost()));
    return new Promise<never>(() => {});
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
      this.samples.end();
      // Its own hosts first: one may be reached through a pool's host (a jump host), which a reset may release.
      const released = await Promise.allSettled([this.hosts.releaseAll()]);
      if (this.pool) released.push(...(await Promise.allSettled([this.pool.giveBack(this.poolUser)])));
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
    await this.stopProgramsOn(host);
    await (this.pool?.uses(host) ? this.pool.releaseHost(host) : this.hosts.releaseOne(host));
  }

  private async stopProgramsOn(host: Host): Promise<void> {
    await Promise.allSettled(this.nodes.filter((node) => node.host === host).map((node) => node.stop()));
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

/** What was given where a value of a class was expected, in a few words. */
function given(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "no class"})`;
  return typeof value === "function" ? "a function" : JSON.stringify(value);
}
