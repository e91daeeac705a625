/**
 * Network faults on a running deployment (docs/ARCHITECTURE.md §4): `d.network.partition(a, b)`,
 * `delay`, `loss`, `heal()`. A fault acts on the edges between its groups, port to port, and is
 * applied where each edge's messages are sent: a program's runtime is told over its control
 * channel (runtime/faults/), the script's own ports are told directly. So it needs no root and
 * works alike on every host kind. Changes are applied one after another, each resolving once
 * every sender it touches has it; each is an event with the time it took effect.
 */
import type { EdgeCount, EdgeFault, EdgeRule } from "../../runtime/faults/edge-fault.js";
import { edgeSeed } from "../../runtime/faults/random.js";
import { callsite, formatCallsite, type Callsite } from "../callsite.js";
import { ConfigError, HydroError, TornDownError } from "../errors.js";
import { emit } from "../events.js";
import type { Edge } from "../ports.js";
import type { DeployNode } from "../nodes/node.js";
import type { NodeOwner } from "../nodes/owner.js";
import { combined, Fault, type FaultKind } from "./fault.js";
import { parseDelay, parseLoss, parsePartition, type DelayInput, type LossInput, type PartitionInput } from "./options.js";
import { groupName, nodesOf, type Group } from "./parties.js";

export { Fault, type FaultKind } from "./fault.js";
export type { Group, Party } from "./parties.js";
export type { DelayInput, LossInput, PartitionInput } from "./options.js";

/** What the faults did on one edge, over every run of its sender (a run's counts as of the last time it answered). */
export interface EdgeCounts {
  /** The sending program and port, the receiving program and port. */
  from: string;
  port: string;
  to: string;
  toPort: string;
  /** Messages dropped by a partition or by loss. */
  dropped: number;
  /** Messages held for a delay. */
  delayed: number;
}

/** A fault as one edge applies it: its random draws seeded by the fault's seed and the edge's name, so no two edges draw alike. */
function seededFor(edge: Edge, { cut, loss, delay }: EdgeFault): EdgeFault {
  const name = `${edge.from}→${edge.to}`;
  return {
    ...(cut ? { cut } : {}),
    ...(loss ? { loss: { ...loss, seed: edgeSeed(loss.seed, name) } } : {}),
    ...(delay ? { delay: { ...delay, seed: edgeSeed(delay.seed, name) } } : {}),
  };
}

export class Network {
  private readonly active: Fault[] = [];
  /** Every sender a fault has reached: told when its faults change, asked for counts. */
  private readonly senders = new Set<DeployNode>();
  /** Per sender, per run: what its faults did, as it last said. */
  private readonly reports = new Map<DeployNode, Map<number, EdgeCount[]>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly owner: NodeOwner) {}

  /** The faults in effect (or being applied), oldest first. */
  get faults(): readonly Fault[] {
    return [...this.active];
  }

  /**
   * Cuts every hydro port between two groups, both ways (`{ bothWays: false }`: only what `a`
   * sends to `b`): what is sent across is dropped and counted. Resolves once every sender drops.
   */
  async partition(a: Group, b: Group, options?: PartitionInput): Promise<Fault> {
    const site = callsite();
    const where = this.where(site, "partition()");
    const { bothWays } = parsePartition(options, site);
    const edges = this.edgesBetween(a, b, bothWays, where);
    return this.set(new Fault("partition", edges, { cut: true }, `partition ${groupName(a)} ${bothWays ? "|" : "→"} ${groupName(b)}`, site, this.clear));
  }

  /**
   * Delays what `from` sends to `to` (`bothWays`: and back): each message waits `ms` plus a
   * uniform random extra in [0, jitterMs], never overtaking one sent before it on its connection.
   */
  async delay(from: Group, to: Group, options: DelayInput): Promise<Fault> {
    const site = callsite();
    const where = this.where(site, "delay()");
    const { ms, jitterMs, seed, bothWays } = parseDelay(options, site);
    const edges = this.edgesBetween(from, to, bothWays, where);
    this.refuseSecond("delay", edges, where);
    const jitter = jitterMs ? ` + up to ${jitterMs} ms` : "";
    const description = `delay ${groupName(from)} ${bothWays ? "⇄" : "→"} ${groupName(to)}: ${ms} ms${jitter} (seed ${seed})`;
    return this.set(new Fault("delay", edges, { delay: { ms, jitterMs, seed } }, description, site, this.clear));
  }

  /** Drops each message `from` sends to `to` (`bothWays`: and back) with probability `p`, drawn from `seed`. */
  async loss(from: Group, to: Group, options: LossInput): Promise<Fault> {
    const site = callsite();
    const where = this.where(site, "loss()");
    const { p, seed, bothWays } = parseLoss(options, site);
    const edges = this.edgesBetween(from, to, bothWays, where);
    this.refuseSecond("loss", edges, where);
    const description = `loss ${groupName(from)} ${bothWays ? "⇄" : "→"} ${groupName(to)}: p = ${p} (seed ${seed})`;
    return this.set(new Fault("loss", edges, { loss: { p, seed } }, description, site, this.clear));
  }

  /**
   * Clears every fault; resolves once no sender applies any. Before deploy() it is refused; after
   * teardown there is nothing left to heal (it resolves, and says nothing).
   */
  async heal(): Promise<void> {
    this.refuseBeforeDeploy(callsite(), "heal()");
    const faults = this.active.splice(0);
    if (faults.length === 0) return this.queue.then(() => {});
    if (this.owner.phase === "torn down") return this.forget(faults);
    return this.enqueue(async () => {
      const edges = faults.flatMap((fault) => fault.edges);
      await this.apply(edges);
      const at = Date.now();
      for (const fault of faults) fault.clearedAt = at;
      emit({
        type: "network",
        action: "heal",
        description: `heal: cleared ${faults.map((fault) => fault.description).join("; ")}`,
        edges: new Set(edges).size,
        at,
      });
    });
  }

  /**
   * What the faults did so far, per edge that ever had one: messages dropped and delayed, summed
   * over every run of its sender. A run that is gone counts as of the last time it answered.
   */
  async counts(): Promise<EdgeCounts[]> {
    this.refuseBeforeDeploy(callsite(), "counts()");
    return this.enqueue(async () => {
      if (this.owner.phase === "running") await Promise.all([...this.senders].map((sender) => this.tell(sender)));
      return [...this.reports].flatMap(([sender, runs]) => this.summed(sender, runs));
    });
  }

  private readonly clear = (fault: Fault): Promise<void> => {
    const index = this.active.indexOf(fault);
    if (index < 0) return this.queue.then(() => {});
    this.active.splice(index, 1);
    if (this.owner.phase === "torn down") return this.forget([fault]);
    return this.enqueue(async () => {
      await this.apply(fault.edges);
      fault.clearedAt = Date.now();
      emit({ type: "network", action: "clear", description: `clear ${fault.description}`, edges: fault.edges.length, at: fault.clearedAt });
    });
  };

  private set(fault: Fault): Promise<Fault> {
    this.active.push(fault);
    return this.enqueue(async () => {
      // Cleared (or healed) before its turn came: it never took effect.
      if (!this.active.includes(fault)) return fault;
      try {
        await this.apply(fault.edges);
      } catch (error) {
        // A sender did not take it: it is not in effect, so it does not stay listed (nor block a next one); the others let go of it.
        this.active.splice(this.active.indexOf(fault), 1);
        await this.apply(fault.edges).catch(() => {});
        throw error;
      }
      fault.setAt = Date.now();
      const { seed } = fault;
      emit({
        type: "network",
        action: fault.kind,
        description: fault.description,
        edges: fault.edges.length,
        at: fault.setAt,
        ...(seed === undefined ? {} : { seed }),
      });
      return fault;
    });
  }

  /** After teardown: every program is gone with its faults; they are only marked cleared. */
  private async forget(faults: readonly Fault[]): Promise<void> {
    await this.queue;
    const at = Date.now();
    for (const fault of faults) fault.clearedAt ??= at;
  }

  /** Runs one change after the ones before it, whether they failed or not. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const done = this.queue.then(work);
    this.queue = done.catch(() => {});
    return done;
  }

  /** Tells the senders of `edges` their faults as they are now. */
  private async apply(edges: readonly Edge[]): Promise<void> {
    const senders = new Set(edges.map((edge) => edge.from.node as DeployNode));
    await Promise.all([...senders].map((sender) => this.tell(sender)));
  }

  private async tell(sender: DeployNode): Promise<void> {
    this.senders.add(sender);
    const rules: EdgeRule[] = [];
    for (const [edge, fault] of combined(this.active)) {
      if (edge.from.node === sender) rules.push({ port: edge.from.name, key: edge.key, fault: seededFor(edge, fault) });
    }
    const report = await sender.applyFaults!(rules);
    if (!report) return;
    let runs = this.reports.get(sender);
    if (!runs) this.reports.set(sender, (runs = new Map()));
    runs.set(report.run, report.counts);
  }

  private summed(sender: DeployNode, runs: Map<number, EdgeCount[]>): EdgeCounts[] {
    const byEdge = new Map<Edge, EdgeCounts>();
    for (const counts of runs.values()) {
      for (const { port, key, dropped, delayed } of counts) {
        const edge = this.owner.edges.find((edge) => edge.from.node === sender && edge.from.name === port && edge.key === key);
        if (!edge) continue;
        const sum = byEdge.get(edge) ?? { from: sender.name, port, to: edge.to.node.name, toPort: edge.to.name, dropped: 0, delayed: 0 };
        sum.dropped += dropped;
        sum.delayed += delayed;
        byEdge.set(edge, sum);
      }
    }
    return [...byEdge.values()];
  }

  /** The edges from group `a` to group `b` (and back, `bothWays`), each checked; refused in one line when there are none. */
  private edgesBetween(a: Group, b: Group, bothWays: boolean, where: string): Edge[] {
    const left = nodesOf(a, this.owner, `${where}: first group`);
    const right = nodesOf(b, this.owner, `${where}: second group`);
    for (const node of left) if (right.has(node)) throw new ConfigError(`${where}: ${node.describe()} is in both groups`);
    const crosses = (edge: Edge) =>
      (left.has(edge.from.node as DeployNode) && right.has(edge.to.node as DeployNode)) ||
      (bothWays && right.has(edge.from.node as DeployNode) && left.has(edge.to.node as DeployNode));
    const edges = this.owner.edges.filter(crosses);
    if (edges.length === 0) {
      throw new ConfigError(
        `${where}: no port of ${groupName(a)} is connected to one of ${groupName(b)}${bothWays ? " (or back)" : ""}: there is no edge to act on`,
      );
    }
    return edges;
  }

  /** An edge has one delay and one loss at most: a second is refused, naming where the first was set. */
  private refuseSecond(kind: FaultKind, edges: readonly Edge[], where: string): void {
    for (const fault of this.active) {
      if (fault.kind !== kind) continue;
      const edge = edges.find((edge) => fault.edges.includes(edge));
      if (edge) {
        const at = fault.site ? ` (set at ${formatCallsite(fault.site)})` : "";
        throw new ConfigError(`${where}: the edge ${edge.from} → ${edge.to} already has a ${kind}: ${fault.description}${at}; clear it first`);
      }
    }
  }

  /** `file:line: partition()`, once the deployment runs; refused in one line before deploy() and after teardown. */
  private where(site: Callsite | undefined, what: string): string {
    const where = this.refuseBeforeDeploy(site, what);
    if (this.owner.phase === "torn down") throw new TornDownError(this.owner.name, where);
    return where;
  }

  private refuseBeforeDeploy(site: Callsite | undefined, what: string): string {
    const where = site ? `${formatCallsite(site)}: ${what}` : what;
    if (this.owner.phase === "declaring" || this.owner.phase === "deploying")
      throw new HydroError(`${where}: ${this.owner.name} is not running yet (after deploy() only)`);
    return where;
  }
}
