import crypto from "node:crypto";
import type { Address } from "../runtime/protocol.js";
import { callsite, formatCallsite } from "./callsite.js";
import { ConfigError, HostLostError, HydroError, combine } from "./errors.js";
import { TIMED_OUT, within } from "./bounded.js";
import { emit, interruptedBy, step, type DescribeStep } from "./events.js";
import type { Host, HostOwner, LaunchContext, LaunchedHost } from "./host.js";
import { Localhost } from "./localhost/index.js";
import {
  deploymentOptions,
  externalOptions,
  parse,
  parseProcess,
  parseService,
  type DeploymentInput,
  type DeploymentOptions,
  type ExternalInput,
  type ProcessInput,
  type ServiceInput,
} from "./options.js";
import { SshHost } from "./ssh/index.js";
import { parseSsh, type SshInput } from "./ssh/options.js";
import { AwsHost } from "./aws/index.js";
import { parseAws, type AwsInput } from "./aws/options.js";
import { GcpHost } from "./gcp/index.js";
import { parseGcp, type GcpInput } from "./gcp/options.js";
import { checkDeclared, checkEdges, planBind, targetsOf, type Edge, type PortRef } from "./ports.js";
import { live, reportFatal } from "./registry.js";
import { SharedResources } from "./shared-resources.js";
import { DeploymentState } from "./state/state-file.js";
import type { DeployNode } from "./nodes/node.js";
import { Service } from "./nodes/service.js";
import { ProcessNode } from "./nodes/process.js";
import { External } from "./nodes/external.js";

type Phase = "declaring" | "deploying" | "running" | "torn down";

/** How long releasing a host may take (a launch still finishing, then its own teardown) before teardown gives up on it. */
const HOST_RELEASE_MS = 10_000;

/**
 * A set of hosts and the programs on them, wired port to port. Declare, then `deploy()`;
 * `teardown()` (also run by the CLI when the script ends, throws or is interrupted) stops
 * everything and releases every host.
 */
export class Deployment implements HostOwner {
  readonly id = crypto.randomBytes(4).toString("hex");
  readonly options: DeploymentOptions;
  readonly edges: Edge[] = [];
  private readonly nodes: DeployNode[] = [];
  private readonly launched = new Map<Host, Promise<LaunchedHost>>();
  /** The hosts whose launch has finished, for kill(), which cannot wait. */
  private readonly up = new Set<LaunchedHost>();
  /** What several hosts share (a cloud network, a key pair): released after every host. */
  private readonly shared = new SharedResources();
  /** Cloud resources, recorded before they exist (.hydro/state/<id>.json), for `hydro down`. */
  private readonly state: DeploymentState;
  private readonly launchContext: LaunchContext;
  private localhostHost: Localhost | undefined;
  private phase: Phase = "declaring";
  /** Aborted by teardown: whatever deploy() is still starting gives up. */
  private readonly cancellation = new AbortController();
  private tearingDown: Promise<void> | undefined;

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
    this.launchContext = {
      deployment: { id: this.id, state: this.state },
      launched: (host) => this.launch(host),
      shared: (key, create) => this.shared.get(key, create),
      signal: this.cancellation.signal,
      lost: (host, reason) => {
        if (this.phase !== "running") return;
        const error = new HostLostError(host.name, `host "${host.name}" ${reason}; tearing down ${this.name}`);
        // The CLI reports it as the run's failure; a script without the CLI still sees it logged.
        if (!reportFatal(error)) emit({ type: "log", level: "error", message: error.message });
        void this.teardown();
      },
    };
  }

  get name(): string {
    return this.options.name ?? `deployment ${this.id}`;
  }

  /** The machine the deployer runs on. */
  localhost(): Host {
    return (this.localhostHost ??= new Localhost(this));
  }

  /** A machine reached over SSH (the ssh2 package), optionally through a `jump` host. */
  ssh(options: SshInput): Host {
    const site = callsite();
    this.assertDeclaring(site, "ssh()");
    const parsed = parseSsh(options, site, this);
    const name = parsed.name ?? (parsed.port === 22 ? parsed.host : `${parsed.host}:${parsed.port}`);
    return new SshHost(this, name, parsed);
  }

  /** An AWS EC2 VM, provisioned at deploy() and terminated at teardown (the @aws-sdk/client-ec2 package, loaded only then). */
  aws(options: AwsInput): Host {
    const site = callsite();
    this.assertDeclaring(site, "aws()");
    const parsed = parseAws(options, site);
    return new AwsHost(this, this.uniqueHostName(parsed.name, `aws-${parsed.region}`), parsed);
  }

  /** A GCP Compute Engine VM, created at deploy() and deleted at teardown (@google-cloud/compute, loaded only then). */
  gcp(options: GcpInput): Host {
    const site = callsite();
    this.assertDeclaring(site, "gcp()");
    const parsed = parseGcp(options, site);
    return new GcpHost(this, this.uniqueHostName(parsed.name, `gcp-${parsed.zones[0]}`), parsed);
  }

  /** A TS/JS program that imports hydro-deploy/runtime; `src` is relative to the file that declares it. */
  service(options: ServiceInput): Service {
    const site = callsite();
    this.assertDeclaring(site, "service()");
    return this.add(new Service(this, parseService(options, site, this, this.uniqueName), site));
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

  private step<T>(path: string[], work: () => Promise<T>, describe?: DescribeStep<T>): Promise<T> {
    return step([...this.stepsUnder, ...path], work, describe);
  }

  private add<N extends DeployNode>(node: N): N {
    this.nodes.push(node);
    return node;
  }

  private readonly hostNames = new Set<string>();

  /** Cloud hosts' names key their records and tags: unique in the deployment (`aws-eu-west-1`, `aws-eu-west-1-2`, …). */
  private uniqueHostName(wanted: string | undefined, fallback: string): string {
    if (wanted !== undefined && this.hostNames.has(wanted)) throw new ConfigError(`${formatCallsite(callsite())}: the host name "${wanted}" is already used in ${this.name}`);
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

  private assertDeclaring(site: ReturnType<typeof callsite>, what: string): void {
    if (this.phase !== "declaring")
      throw new ConfigError(`${formatCallsite(site)}: ${what}: ${this.name} is already ${this.phase}; declare everything before deploy()`);
  }

  /** Everything that can be checked without starting anything. */
  private validate(): void {
    const problems = checkEdges(this.edges, this);
    for (const node of this.nodes) {
      if (node instanceof ProcessNode) {
        problems.push(...checkDeclared(node, Object.fromEntries(node.declaredPorts.map((port) => [port, "in" as const])), this.edges));
      }
    }
    if (problems.length) throw combine(problems, ConfigError);
  }

  /** Bundles, provisions, binds, wires and starts everything; on any failure tears down what it started. */
  async deploy(): Promise<void> {
    this.assertDeclaring(callsite(), "deploy()");
    // After Ctrl-C the CLI is tearing down what is live: something started now would outlive it.
    const interruption = interruptedBy();
    if (interruption) throw new HydroError(`${this.name}: not deployed: the run was ${interruption}`);
    this.phase = "deploying";
    live.add(this);
    try {
      await this.step(["deploy"], () => this.bringUp());
      this.throwIfTornDown();
      this.phase = "running";
    } catch (error) {
      // Torn down from outside (Ctrl-C, the script): that is the reason, not what it broke on the way.
      const reason = this.cancellation.signal.aborted ? new HydroError(`${this.name} was torn down during deploy()`) : error;
      await this.teardown();
      throw reason;
    }
  }

  private async bringUp(): Promise<void> {
    this.validate();
    const services = this.nodes.filter((node): node is Service => node instanceof Service);
    await this.step(["deploy", "bundle"], () =>
      settleAll(
        services.map((service) =>
          this.step(
            ["deploy", "bundle", service.name],
            () => service.prepare(),
            () => ({ detail: service.bundleCached ? "cached" : "built" }),
          ),
        ),
      ),
    );

    // The config script's own ports (external endpoints) live on the deployer's machine: localhost.
    this.throwIfTornDown();
    const placeOf = (node: DeployNode) => node.host ?? this.localhost();
    await this.step(["deploy", "hosts"], () => settleAll([...new Set(this.nodes.map(placeOf))].map((host) => this.launch(host))));
    const launchedOf = (node: DeployNode) => this.launch(placeOf(node));

    const bound = new Map<PortRef, Address>();
    this.throwIfTornDown();
    await this.step(["deploy", "bind"], () =>
      settleAll(
        this.nodes.map((node) =>
          this.step(["deploy", "bind", node.name], async () => {
            const result = await node.bind(await launchedOf(node), await this.bindPlan(node, launchedOf));
            if (result.declared) {
              const problems = checkDeclared(node, result.declared, this.edges);
              if (problems.length) throw combine(problems, ConfigError);
            }
            for (const [name, address] of Object.entries(result.bound)) bound.set(node.ports[name]!, address);
          }),
        ),
      ),
    );

    // A process that connects to another process's port starts after its servers accept connections.
    const connectsToProcess = (node: DeployNode) =>
      node instanceof ProcessNode && this.edges.some((edge) => edge.from.node === node && edge.to.node instanceof ProcessNode);
    this.throwIfTornDown();
    await this.step(["deploy", "start"], async () => {
      for (const wave of [this.nodes.filter((node) => !connectsToProcess(node)), this.nodes.filter(connectsToProcess)]) {
        await settleAll(
          wave.map((node) => this.step(["deploy", "start", node.name], async () => node.start(await targetsOf(node, this.edges, bound, launchedOf)))),
        );
      }
    });
  }

  /** teardown() during deploy() (Ctrl-C, a lost host, the script): stop starting things. */
  private throwIfTornDown(): void {
    if (this.cancellation.signal.aborted) throw new HydroError(`${this.name} was torn down during deploy()`);
  }

  /** Launches `host` once; a host behind a jump host launches that one through the context. */
  private launch(host: Host): Promise<LaunchedHost> {
    let launched = this.launched.get(host);
    if (!launched) {
      // Nothing new is provisioned once teardown has begun: it would never be released.
      if (this.cancellation.signal.aborted) return Promise.reject(new HydroError(`${this.name} was torn down during deploy()`));
      launched = this.step(["deploy", "hosts", host.name], () => host.launch(this.launchContext));
      launched.then(
        (up) => this.up.add(up),
        () => {},
      );
      this.launched.set(host, launched);
    }
    return launched;
  }


  /** Where each wired receiving port of `node` binds, given where its senders run. */
  private async bindPlan(node: DeployNode, launchedOf: (node: DeployNode) => Promise<LaunchedHost>): Promise<Record<string, Address>> {
    const senders = new Map<string, DeployNode[]>();
    for (const edge of this.edges) {
      if (edge.to.node === node) senders.set(edge.to.name, [...(senders.get(edge.to.name) ?? []), edge.from.node]);
    }
    const plan: Record<string, Address> = {};
    for (const [port, from] of senders) {
      plan[port] = planBind(await launchedOf(node), await Promise.all(from.map(launchedOf)), `${node.name}.${port}`);
    }
    return plan;
  }

  /**
   * Stops every program (asking first, killing after stopTimeoutMs) and releases every host. Every
   * wait is bounded: what does not answer is given up on and named in the teardown step's failure.
   * Safe to call twice; never rejects.
   */
  teardown(): Promise<void> {
    this.tearingDown ??= this.step(["teardown"], async () => {
      this.phase = "torn down";
      this.cancellation.abort();
      const stopped = await Promise.allSettled(this.nodes.map((node) => node.stop(this.options.stopTimeoutMs)));
      const released = await Promise.allSettled([...this.launched].map(([host, launched]) => this.release(host, launched)));
      const sharedReleased = await Promise.allSettled([this.shared.releaseAll()]);
      live.delete(this);
      const unanswered = [...stopped, ...released, ...sharedReleased].flatMap((result) => (result.status === "rejected" ? [(result.reason as Error).message] : []));
      if (unanswered.length) throw combine(unanswered);
    }).catch(() => {});
    return this.tearingDown;
  }

  /** Tears a host down, unless its launch failed (nothing to release) or it does not answer in time. */
  private async release(host: Host, launched: Promise<LaunchedHost>): Promise<void> {
    const ready = await within(
      launched.catch(() => undefined),
      HOST_RELEASE_MS,
    );
    if (ready === undefined) return;
    const limitMs = (ready !== TIMED_OUT && ready.teardownTimeoutMs) || HOST_RELEASE_MS;
    if (ready === TIMED_OUT || (await within(ready.teardown(), limitMs)) === TIMED_OUT) {
      throw new HydroError(`host "${host.name}" did not answer within ${limitMs / 1000} s while being released; gave up on it`);
    }
  }

  /**
   * `host.terminate()`: stops every program on the host (asking, then killing after stopTimeoutMs)
   * and releases it now; a cloud VM is deleted. The rest of the deployment runs on.
   */
  async terminateHost(host: Host): Promise<void> {
    const launched = this.launched.get(host);
    await Promise.allSettled(this.nodes.filter((node) => node.host === host).map((node) => node.stop(this.options.stopTimeoutMs)));
    if (!launched) return;
    this.launched.delete(host);
    const ready = await launched.catch(() => undefined);
    if (ready) this.up.delete(ready);
    await this.release(host, launched);
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
    this.cancellation.abort();
    for (const node of this.nodes) node.kill();
    for (const host of this.up) host.kill();
  }
}

/** Like Promise.all, but waits for every task, so nothing is still starting when the first failure triggers teardown. */
async function settleAll<T>(tasks: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failures = results.flatMap((result) => (result.status === "rejected" ? [result.reason as Error] : []));
  // Hosts that wait on one shared resource fail with its one error: said once, as itself (a CloudError stays one).
  const distinct = [...new Map(failures.map((failure) => [failure.message, failure])).values()];
  if (distinct.length === 1) throw distinct[0];
  if (distinct.length > 1) throw combine(distinct.map((failure) => failure.message));
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}
