import type { Address, Target } from "../../runtime/protocol.js";
import type { LaunchedHost } from "../host.js";
import { Inbound, type Received } from "../../runtime/inbound.js";
import { Outbound, type OutboundStats, type SendOptions } from "../../runtime/outbound.js";
import type { StandardSchema } from "../../runtime/schema.js";
import { HydroError } from "../errors.js";
import { within } from "../bounded.js";
import { PortRef, sendersOf } from "../ports.js";
import { DeployNode, type BindResult } from "./node.js";
import type { NodeOwner } from "./owner.js";
import type { Callsite } from "../callsite.js";
import type { EdgeRule } from "../../runtime/faults/edge-fault.js";
import { applyFaults } from "../../runtime/faults/rules.js";
import type { FaultReport } from "./node.js";

/** Accepts any message: the config script decides what it expects. */
const anything: StandardSchema<any> = { "~standard": { version: 1, vendor: "hydro-deploy", validate: (value) => ({ value }) } };

/**
 * The config script's own end of some ports. Its ports are used like a service's when wiring,
 * and after deploy() the script sends on them and iterates them.
 */
export class External extends DeployNode {
  readonly kind = "external";
  readonly wireKind = "framed";
  readonly host = undefined;
  private readonly inbound = new Map<string, Inbound<any>>();
  private readonly outbound = new Map<string, Outbound<any>>();
  declare readonly ports: Record<string, ExternalPort>;

  constructor(owner: NodeOwner, name: string, site: Callsite | undefined) {
    super(owner, name, site);
  }

  protected override portRef(name: string): ExternalPort {
    return new ExternalPort(this, name);
  }

  describe(): string {
    return `external endpoint "${this.name}"`;
  }

  /** The live port behind `name`, once deployed. */
  receiving(name: string): Inbound<any> {
    const port = this.inbound.get(name);
    if (!port) throw new HydroError(`${this.describe()}: port '${name}' does not receive anything (wire a sender to it and deploy() first)`);
    return port;
  }

  sending(name: string): Outbound<any> {
    const port = this.outbound.get(name);
    if (!port) throw new HydroError(`${this.describe()}: port '${name}' does not send anywhere (connect it to a receiver and deploy() first)`);
    return port;
  }

  async bind(_host: LaunchedHost, plan: Record<string, Address>): Promise<BindResult> {
    const bound: Record<string, Address> = {};
    const senders = sendersOf(this, this.owner.edges);
    for (const [name, address] of Object.entries(plan)) {
      const port = new Inbound<any>(name, anything);
      this.inbound.set(name, port);
      bound[name] = await port.listen(address, senders[name] ?? []);
    }
    return { bound };
  }

  async start(targets: Record<string, Target[]>): Promise<void> {
    await Promise.all(
      Object.entries(targets).map(async ([name, receivers]) => {
        const port = new Outbound<any>(name);
        this.outbound.set(name, port);
        await port.connect(receivers, this.owner.options.readyTimeoutMs);
      }),
    );
  }

  /** The script's own sending ports take their faults directly. */
  async applyFaults(rules: EdgeRule[]): Promise<FaultReport> {
    return { run: 1, counts: applyFaults(this.outbound.values(), rules) };
  }

  /** Flushes its sending ports (within the deployment's stopTimeoutMs: a delay may hold messages), then closes everything. */
  async stop(): Promise<void> {
    const outbound = [...this.outbound.values()];
    await within(Promise.all(outbound.map((port) => port.flush())), this.owner.options.stopTimeoutMs);
    for (const port of outbound) port.closeNow();
    await Promise.all([...this.inbound.values()].map((port) => port.close()));
  }

  killAtOnce(): void {
    for (const port of this.outbound.values()) port.closeNow();
    for (const port of this.inbound.values()) void port.close();
  }
}

/** A port of an External: wire it like any port, then send on it or iterate it. */
export class ExternalPort<T = any> extends PortRef implements AsyncIterable<Received<T>> {
  declare readonly node: External;

  send(data: T, options?: SendOptions): void {
    this.node.sending(this.name).send(data, options);
  }

  /** Sends `data` to every receiver of this port (every member of a cluster it is connected to). */
  broadcast(data: T): void {
    this.node.sending(this.name).broadcast(data);
  }

  flush(): Promise<void> {
    return this.node.sending(this.name).flush();
  }

  /** Per receiver: messages sent, dropped while it was unreachable, reconnections, and whether it is connected now. */
  get stats(): Readonly<Record<string, OutboundStats>> {
    return this.node.sending(this.name).stats;
  }

  [Symbol.asyncIterator](): AsyncIterator<Received<T>> {
    return this.node.receiving(this.name)[Symbol.asyncIterator]();
  }

  /** The messages in batches, as a program's `source.batches()`: each step yields everything queued by then (at least one). */
  batches(): AsyncIterable<Received<T>[]> {
    return this.node.receiving(this.name).batches();
  }
}
