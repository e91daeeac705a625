/**
 * One benchmark: the same computation written three ways. Each delivers every result to `sink`,
 * the same kind of callback in all of them (as a program's `forEach` would), so the harness can
 * compare checksums and no implementation gets to keep results in a register the others cannot.
 */
export interface Bench {
  name: string;
  /** What is computed, for the table's footnotes. */
  description: string;
  handLoop(sink: (x: number) => void): void;
  /**
   * Where the engine's operators do more work than `handLoop` by their semantics (a set-semantics
   * join stores every input and probes every arrival): that same work written by hand. It is the
   * floor of the graph against the hand loop, and the engine's own overhead is measured against it.
   */
  graphByHand?(sink: (x: number) => void): void;
  dataflow(sink: (x: number) => void, fused: boolean): void;
  rxjs(sink: (x: number) => void): void;
}

/** Same pseudo-random numbers every run, so every implementation sees the same input. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
