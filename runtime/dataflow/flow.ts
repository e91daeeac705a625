import { isExternalSource, type ExternalSource, type OperatorInstance } from "./operator.js";
import { Handoff, NextTickHandoff } from "./handoff.js";
import type { Plan } from "./plan.js";
import type { SubgraphBuilder, SubgraphRunner } from "./subgraph.js";
import { isCapturingGraphs } from "./capture.js";

/**
 * A compiled graph, run tick by tick. A tick ingests what has arrived from outside, runs each
 * stratum to fixpoint (subgraphs rerun while their input handoffs hold items: recursion), then
 * forgets `'tick` state and releases `deferTick` items to the next tick.
 */
export class Flow {
  private readonly context = { tick: 0 };
  private readonly strata: SubgraphRunner[][] = [];
  private readonly instances: OperatorInstance[];
  private readonly externals: ExternalSource[];
  private readonly deferred: NextTickHandoff[] = [];
  private activated = false;
  private stopped = false;
  private wakeUp: (() => void) | undefined;

  constructor(plan: Plan, build: SubgraphBuilder) {
    const handoffs = plan.edges.map((e) => {
      if (e.role === "internal") return undefined;
      if (e.role === "handoff") return new Handoff();
      const deferred = new NextTickHandoff();
      this.deferred.push(deferred);
      return deferred;
    });
    const runners = plan.subgraphs.map((_, subgraph) => build({ plan, subgraph, handoffs, context: this.context }));
    for (const runner of runners) (this.strata[runner.stratum] ??= []).push(runner);
    this.instances = runners.flatMap((r) => r.instances);
    this.externals = this.instances.filter(isExternalSource);
  }

  /** Number of ticks run so far. */
  get currentTick(): number {
    return this.context.tick;
  }

  /** Runs one tick, whether or not anything is waiting. */
  runTick(): void {
    if (isCapturingGraphs()) return;
    this.activate();
    for (const stratum of this.strata) {
      if (stratum === undefined) continue;
      for (const runner of stratum) runner.run(true);
      for (let again = true; again;) {
        again = false;
        for (const runner of stratum) {
          if (!runner.hasInput()) continue;
          runner.run(false);
          again = true;
        }
      }
    }
    for (const op of this.instances) op.endTick?.();
    for (const handoff of this.deferred) handoff.advance();
    this.context.tick++;
  }

  /** True if a tick would have something new: the first tick, deferred items, or external input. */
  hasWork(): boolean {
    return this.context.tick === 0 || this.deferred.some((h) => h.hasDeferred()) || this.externals.some((s) => s.hasPendingInput?.() === true);
  }

  /** Runs ticks until nothing is waiting. A cycle through `deferTick` that never quiesces never returns. */
  runAvailable(): void {
    if (isCapturingGraphs()) return;
    while (this.hasWork()) this.runTick();
  }

  /**
   * Runs ticks as input arrives, until `stop()` or until every external source (stream, port) has
   * ended and nothing is left to do.
   */
  async run(): Promise<void> {
    if (isCapturingGraphs()) return;
    try {
      this.activate();
      while (!this.stopped) {
        this.runAvailable();
        if (this.stopped || this.externals.every((s) => s.exhausted())) break;
        if (!this.hasWork()) await new Promise<void>((resolve) => (this.wakeUp = resolve));
      }
    } finally {
      this.stop();
    }
  }

  /** Stops external sources; a pending `run()` returns after its current tick. */
  stop(): void {
    this.stopped = true;
    for (const source of this.externals) source.deactivate();
    this.wake();
  }

  private activate(): void {
    if (this.activated || this.stopped) return;
    this.activated = true;
    for (const source of this.externals) source.activate(() => this.wake());
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }
}
