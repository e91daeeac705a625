/**
 * Something a node learns in one phase of its lifecycle (prepare → bind → start) and uses in a
 * later one: the bundle, the launched host, the handshake session. Reading it before the phase
 * that sets it is a bug in the deployer, and says which value and which phase.
 */
export class FromPhase<T> {
  private value: T | undefined;

  constructor(
    private readonly what: string,
    private readonly phase: "prepare" | "bind" | "start",
  ) {}

  set(value: T): T {
    this.value = value;
    return value;
  }

  get(): T {
    if (this.value === undefined) throw new Error(`internal error: ${this.what} used before ${this.phase}()`);
    return this.value;
  }

  /** The value, if its phase has run (teardown may come at any point). */
  get current(): T | undefined {
    return this.value;
  }
}
