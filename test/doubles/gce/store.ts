export type Json = Record<string, unknown>;

/** Every resource of the double by resource path, and names taken by inserts still in flight. */
export class ResourceStore {
  private readonly byPath = new Map<string, Json>();
  private readonly reserved = new Set<string>();

  get(path: string): Json | undefined {
    return this.byPath.get(path);
  }

  /** Taken: stored, or reserved by an insert that has not stored it yet. */
  taken(path: string): boolean {
    return this.byPath.has(path) || this.reserved.has(path);
  }

  reserve(path: string): void {
    this.reserved.add(path);
  }

  release(path: string): void {
    this.reserved.delete(path);
  }

  put(path: string, resource: Json): void {
    this.reserved.delete(path);
    this.byPath.set(path, resource);
  }

  delete(path: string): void {
    this.byPath.delete(path);
  }

  /** Resources of one collection under `scopePath` ("projects/p/zones/z"), by name as the API orders them. */
  list(scopePath: string, collection: string): Json[] {
    const prefix = `${scopePath}/${collection}/`;
    return [...this.byPath]
      .filter(([path]) => path.startsWith(prefix) && !path.slice(prefix.length).includes("/"))
      .map(([, resource]) => resource)
      .sort(byName);
  }

  /** Every resource of a collection in any scope, with its path. */
  everywhere(collection: string): [string, Json][] {
    return [...this.byPath].filter(([path]) => path.split("/").at(-2) === collection);
  }
}

const byName = (a: Json, b: Json) => String(a.name).localeCompare(String(b.name));
