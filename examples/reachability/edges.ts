/** The edges reachability.hf streams in: a small graph with a cycle (1 → 2 → 0) and an unreachable part (5 → 6). */
export async function* edges(): AsyncGenerator<[number, number]> {
  yield* [
    [0, 1],
    [2, 4],
    [3, 4],
    [1, 2],
    [2, 0],
    [4, 3],
    [5, 6],
  ] as Array<[number, number]>;
}
