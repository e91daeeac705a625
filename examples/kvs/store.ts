import { MapUnion } from "hydro-deploy/runtime";
import { Clock, Versioned } from "./versioned.js";

/** One register as it travels between replicas: key, version, value (null: deleted). */
export type Entry = [key: string, version: number, value: string | null];

/**
 * A replica's table: a `MapUnion` of last-writer-wins registers, so merging another replica's
 * entries commutes and every replica converges. Values are byte strings (latin1: one char per byte).
 * Keys written locally are remembered until the next gossip round takes their registers.
 */
export class Store {
  private readonly table = new MapUnion<string, Versioned>();
  /** Keys written here since the last gossip round. */
  private readonly dirty = new Set<string>();
  /** Keys whose value is not a tombstone: DBSIZE without a scan. */
  private live = 0;

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

  private merge(key: string, register: Versioned): boolean {
    const held = this.table.get(key);
    // A key already held merges in place: one lookup, where mergeEntry would make a second.
    const wasLive = held !== undefined && held.value !== null;
    if (held !== undefined ? !held.merge(register) : !this.table.mergeEntry(key, register)) return false;
    this.live += (register.value !== null ? 1 : 0) - (wasLive ? 1 : 0);
    return true;
  }
}

function entriesOf(map: MapUnion<string, Versioned>): Entry[] {
  return Array.from(map, ([key, register]): Entry => [key, register.version, register.value]);
}
