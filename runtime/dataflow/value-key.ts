/**
 * A primitive standing for a value, equal for structurally equal values, so that Map and Set
 * give tuples and records the set semantics DFIR gets from `Hash + Eq`.
 * Primitives stand for themselves (fast path); objects become a canonical string.
 */
export function valueKey(value: unknown): unknown {
  // Small enough that V8 always inlines it, so that numbers and other non-string primitives
  // stand for themselves without a call.
  return typeof value === "object" || typeof value === "string" ? objectOrStringKey(value) : value;
}

function objectOrStringKey(value: object | string | null): unknown {
  if (value === null) return value;
  // A string that happens to look like an object key must not collide with one.
  if (typeof value === "string") return value.charCodeAt(0) === 1 ? STRING_MARK + value : value;
  return OBJECT_MARK + canonical(value);
}

const OBJECT_MARK = "\u0001o";
const STRING_MARK = "\u0001s";

function canonical(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Object.is(value, -0) ? "0" : String(value);
    case "bigint":
      return `${value}n`;
    case "undefined":
      return "u";
    case "boolean":
      return value ? "t" : "f";
    case "symbol":
    case "function":
      throw new TypeError(`cannot use a ${typeof value} inside a set or join key`);
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => `${canonical(k)}:${canonical(v)}`).sort();
    return `Map{${entries.join(",")}}`;
  }
  if (value instanceof Set) return `Set{${[...value].map(canonical).sort().join(",")}}`;
  if (value instanceof Date) return `Date(${value.getTime()})`;
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`);
  return `{${fields.join(",")}}`;
}
