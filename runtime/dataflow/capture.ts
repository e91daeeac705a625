/**
 * Graph capture for `hydro graph`: the CLI loads a program with capture on; every graph the
 * program builds registers here, and running a flow does nothing, so the program's graphs can
 * be pictured without starting it. The hook lives on `globalThis` because the program is bundled
 * with its own copy of this module.
 */

export interface CapturedGraph {
  readonly name: string;
  toMermaid(): string;
}

export interface GraphCapture {
  readonly graphs: CapturedGraph[];
}

const HOOK = Symbol.for("hydro-deploy.dataflow.graph-capture");

type WithHook = { [HOOK]?: GraphCapture };

/** Turns capture on (until `endGraphCapture`) and returns where graphs will be collected. */
export function beginGraphCapture(): GraphCapture {
  const capture: GraphCapture = { graphs: [] };
  (globalThis as WithHook)[HOOK] = capture;
  return capture;
}

export function endGraphCapture(): void {
  delete (globalThis as WithHook)[HOOK];
}

/** True while `hydro graph` is loading the program: build graphs, but start nothing. */
export function isCapturingGraphs(): boolean {
  return (globalThis as WithHook)[HOOK] !== undefined;
}

export function registerGraph(graph: CapturedGraph): void {
  (globalThis as WithHook)[HOOK]?.graphs.push(graph);
}
