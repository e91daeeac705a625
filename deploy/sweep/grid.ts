import { ConfigError } from "../errors.js";

/** A parameter's value: what survives a round trip through results.json unchanged, so a done point is recognised. */
export type GridValue = string | number | boolean;
/** Parameter name → the values to try, in order. */
export type Grid = Record<string, readonly GridValue[]>;
/** One combination: a value for every parameter of the grid. */
export type Point<G extends Grid = Grid> = { [K in keyof G]: G[K][number] };

/** The field results.json and results.csv keep a failed point's error in. */
export const ERROR_FIELD = "error";

/**
 * Every combination of the grid's values, like nested loops: the first parameter changes slowest.
 * A bad grid is refused with one line naming the parameter (`where` says which call it was).
 */
export function gridPoints<G extends Grid>(grid: G, where: string): Point<G>[] {
  checkGrid(grid, where);
  let points: Record<string, GridValue>[] = [{}];
  for (const [name, values] of Object.entries(grid)) {
    points = points.flatMap((point) => values.map((value) => ({ ...point, [name]: value })));
  }
  return points as Point<G>[];
}

function checkGrid(grid: unknown, where: string): asserts grid is Grid {
  if (typeof grid !== "object" || grid === null || Array.isArray(grid))
    throw new ConfigError(`${where}: grid: expected an object of parameter → values, e.g. { clients: [10, 50] }`);
  const names = Object.keys(grid);
  if (names.length === 0) throw new ConfigError(`${where}: grid: no parameters; give at least one, e.g. { clients: [10, 50] }`);
  for (const name of names) {
    const values = (grid as Record<string, unknown>)[name];
    const field = `grid.${name}`;
    if (name === ERROR_FIELD)
      throw new ConfigError(`${where}: ${field}: "${ERROR_FIELD}" is where a failed point's error is recorded; name the parameter otherwise`);
    if (!Array.isArray(values)) throw new ConfigError(`${where}: ${field}: expected an array of values, got ${describeValue(values)}`);
    if (values.length === 0) throw new ConfigError(`${where}: ${field}: no values; give at least one`);
    const seen: GridValue[] = [];
    for (const value of values as unknown[]) {
      const finite = typeof value === "number" ? Number.isFinite(value) : typeof value === "string" || typeof value === "boolean";
      if (!finite) throw new ConfigError(`${where}: ${field}: ${describeValue(value)} is not a string, finite number or boolean`);
      // Two equal values would be one point run twice, and its second record would replace the first.
      if (seen.includes(value as GridValue)) throw new ConfigError(`${where}: ${field}: ${JSON.stringify(value)} is listed twice`);
      seen.push(value as GridValue);
    }
  }
}

/** Whether `record` holds the result of `point`: the same value for every parameter, of the same type. */
export function isRecordOf(record: Record<string, unknown>, point: Point): boolean {
  return Object.entries(point).every(([name, value]) => record[name] === value);
}

/** `replicas=2 clients=10 server="a b"`: a point as a person reads it, one line whatever its values hold. */
export function describePoint(point: Point): string {
  return Object.entries(point)
    .map(([name, value]) => `${name}=${typeof value === "string" && !/^[\w./:@+-]+$/.test(value) ? JSON.stringify(value) : String(value)}`)
    .join(" ");
}

/** A value as an error message shows it: `NaN`, `"10"`, `an object`. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "object" && value !== null) return "an object";
  return typeof value === "bigint" ? `${value}n` : String(value);
}
