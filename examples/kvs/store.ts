import { MapUnion } from "hydro-deploy/runtime";
import { Clock, Versioned } from "./versioned.js";

/** One register as it travels between replicas: key, version, value (null: deleted). */
export type Entry = [key: string, version: number, value: string | null];

/** The table's keys fall into this many buckets, each with a digest of its (key, version) pairs, for anti-entropy. */
export const DIGEST_BUCKETS = 64;

/**
 * A replica's table: a `MapUnion` of last-writer-wins registers, so merging another replica's
 * entries commutes and every replica converges. Values are byte strings (latin1: one char per byte).
 * Keys written locally are remembered until the next gossip round takes their registers.
 * Gossip of deltas misses what a partition dropped, so the table also keeps a digest per bucket of
 * keys (the XOR of a hash of each key and its version, updated on every change): two replicas
 * compare digests and send each other the buckets that differ (anti-entropy).
 */
export class Store {
  private readonly table = new MapUnion<string, Versioned>();
  /** Keys written here since the last gossip round. */
  private readonly dirty = new Set<string>();
  /** Keys whose value is not a tombstone: DBSIZE without a scan. */
  private live = 0;
  private readonly digests = new Uint32Array(DIGEST_BUCKETS);

  constructor(private readonly clock: Clock) {}

  get(key: string): string | null {
    return this.table.get(key)?.value ?? null;
  }

  get size(): number {
    return this.live;
  }

  /** A local write (`value === null` deletes): a new version, into the table and the next delta. */
  write(key: string, value: string | null): void {
    const version = this.clock.next();
    const held = this.table.get(key);
    if (held === undefined) this.merge(key, new Versioned(version, value));
    else {
      // The clock is past every version this replica has seen, so the write wins outright: the
      // merge's result, set in place (the hot path of SET: no register allocated, no second lookup).
      this.live += (value !== null ? 1 : 0) - (held.value !== null ? 1 : 0);
      this.digestChange(key, held.version, version);
      held.version = version;
      held.value = value;
    }
    this.dirty.add(key);
  }

  /** Merges entries from another replica (gossip or a full state); true if anything changed here. */
  mergeRemote(entries: readonly Entry[]): boolean {
    let changed = false;
    for (const [key, version, value] of entries) {
      this.clock.observe(version);
      if (this.merge(key, new Versioned(version, value))) changed = true;
    }
    return changed;
  }

  /** The keys that hold a value, for FLUSHALL. */
  *liveKeys(): IterableIterator<string> {
    for (const [key, register] of this.table) if (register.value !== null) yield key;
  }

  /**
   * The registers written here since the last call, for gossip (a delta: merging it anywhere moves
   * that replica toward this one, never back).
   */
  takeDelta(): Entry[] {
    if (this.dirty.size === 0) return [];
    const delta = Array.from(this.dirty, (key): Entry => {
      const { version, value } = this.table.get(key)!;
      return [key, version, value];
    });
    this.dirty.clear();
    return delta;
  }

  /** Everything, tombstones included, for a replica that (re)joins. */
  snapshot(): Entry[] {
    return entriesOf(this.table);
  }

  /** Each bucket's digest, for a peer to compare with its own. */
  digest(): number[] {
    return Array.from(this.digests);
  }

  /** The registers in the buckets whose digest differs from a peer's `digest`: what the peer may lack. */
  differingFrom(digest: readonly number[]): Entry[] {
    const differs = new Set<number>();
    for (let bucket = 0; bucket < DIGEST_BUCKETS; bucket++) if (this.digests[bucket] !== (digest[bucket] ?? 0)) differs.add(bucket);
    if (differs.size === 0) return [];
    const entries: Entry[] = [];
    for (const [key, register] of this.table) if (differs.has(keyHash(key) % DIGEST_BUCKETS)) entries.push([key, register.version, register.value]);
    return entries;
  }

  private merge(key: string, register: Versioned): boolean {
    const held = this.table.get(key);
    // A key already held merges in place: one lookup, where mergeEntry would make a second.
    const wasLive = held !== undefined && held.value !== null;
    const before = held?.version;
    if (held !== undefined ? !held.merge(register) : !this.table.mergeEntry(key, register)) return false;
    this.digestChange(key, before, register.version);
    this.live += (register.value !== null ? 1 : 0) - (wasLive ? 1 : 0);
    return true;
  }

  /** Replaces (key, `from`) by (key, `to`) in its bucket's digest; `from` undefined: a new key. */
  private digestChange(key: string, from: number | undefined, to: number): void {
    const hash = keyHash(key);
    const bucket = hash % DIGEST_BUCKETS;
    this.digests[bucket]! ^= (from === undefined ? 0 : mix(hash, from)) ^ mix(hash, to);
  }
}

/** FNV-1a of the key's UTF-16 units, 32 bits. */
function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A key's hash and a version (up to 2^53) mixed into 32 bits (murmur3's finalizer over both halves). */
function mix(hash: number, version: number): number {
  let h = hash ^ Math.imul(version >>> 0, 0xcc9e2d51) ^ Math.imul(Math.floor(version / 0x100000000), 0x1b873593);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function entriesOf(map: MapUnion<string, Versioned>): Entry[] {
  return Array.from(map, ([key, register]): Entry => [key, register.version, register.value]);
}
