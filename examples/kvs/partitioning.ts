/**
 * Hash partitioning: `partitions × replication` replicas, the members of one cluster by id;
 * replica i holds partition ⌊i / replication⌋ as its copy i mod replication. Copies of a partition
 * gossip with each other; a request for another partition's keys is forwarded to that partition's
 * replica with the same copy number (its counterpart), so load spreads evenly over the copies.
 */
export interface Partitioning {
  partitions: number;
  replication: number;
}

export function partitionOfReplica(index: number, { replication }: Partitioning): number {
  return Math.floor(index / replication);
}

/** Which partition owns `key`: FNV-1a over its bytes (latin1 chars), mod the partition count. */
export function partitionOfKey(key: string, { partitions }: Partitioning): number {
  if (partitions === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % partitions;
}

/** The other copies of replica `index`'s partition: whom it gossips with. */
export function copiesOf(index: number, layout: Partitioning): number[] {
  const first = partitionOfReplica(index, layout) * layout.replication;
  return Array.from({ length: layout.replication }, (_, copy) => first + copy).filter((other) => other !== index);
}

/** Replica `index`'s counterpart in every other partition: where it forwards, and who forwards to it. */
export function counterpartsOf(index: number, layout: Partitioning): number[] {
  const copy = index % layout.replication;
  const own = partitionOfReplica(index, layout);
  return Array.from({ length: layout.partitions }, (_, partition) => partition)
    .filter((partition) => partition !== own)
    .map((partition) => partition * layout.replication + copy);
}
